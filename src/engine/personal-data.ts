/**
 * Masking of personal data on read (002 第六条.2, DOMAIN.md §7): the fields a definition
 * declares under `personal:` are shown masked — 王伟 → 王*, 13800000001 → 138****0001 — to
 * readers without a `clearFor` role, on every read path (instances, lists, trails, related
 * cases, tasks, outbox messages). Stored rows are never rewritten, so the audit chain's hashes
 * still cover the clear values and `GET /audit/verify` passes; a masked trail entry keeps its
 * stored `hash`.
 */
import { maskName, maskPhone } from '../domain/survey/contact-mask.util';
import type { PersonalDataDefinition } from '../definitions/definition.types';
import type { AuditEntryView, InstanceView } from './instance.types';

/** One personal value masked: a text with a run of 7+ digits as a phone, any other text as a name; other values in full. */
export function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return /\d[\d-]{5,}\d/.test(value) ? maskPhone(value) : maskName(value);
  if (typeof value === 'number') return maskPhone(String(value));
  if (Array.isArray(value)) return value.map(maskValue);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v)]));
  return value;
}

/** A copy of `data` with the named top-level fields masked. */
export function maskFields(data: unknown, fields: readonly string[]): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data) || fields.length === 0) return data;
  const out: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const f of fields) if (Object.prototype.hasOwnProperty.call(out, f)) out[f] = maskValue(out[f]);
  return out;
}

/** Every name the definition declares personal: context fields and payload fields of every event. */
export function personalNames(personal: PersonalDataDefinition): string[] {
  return [...new Set([...personal.fields, ...Object.values(personal.payload).flat()])];
}

/**
 * A copy with every property named in `names` masked, at any depth: for effects and outbox
 * parameters, which carry personal values on to other cases, mails and notices under the
 * declared names (e.g. a `start` of a complaint with `context.complainant`).
 */
export function maskNamed(data: unknown, names: readonly string[]): unknown {
  if (names.length === 0 || !data || typeof data !== 'object') return data;
  if (Array.isArray(data)) return data.map((x) => maskNamed(x, names));
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, names.includes(k) ? maskValue(v) : maskNamed(v, names)]));
}

/** What one reader sees masked in one case: the declared fields, and the clear values they hold there with their masked forms. */
export interface PersonalMask {
  readonly personal: PersonalDataDefinition;
  readonly values: ReadonlyMap<string, string>;
}

/**
 * The clear personal values of a case — its context's personal fields and the personal payload
 * fields of its trail — each with its masked form, so a text that quotes one (a notice's
 * message, a rendered document) is masked too. Texts shorter than two characters are left.
 */
export function personalValues(
  personal: PersonalDataDefinition,
  context: unknown,
  trail: readonly { eventType: string; fromState: string | null; payload: unknown }[],
): Map<string, string> {
  const out = new Map<string, string>();
  const collect = (value: unknown) => {
    if (typeof value === 'string' && [...value].length >= 2) out.set(value, maskValue(value) as string);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  const fieldsOf = (data: unknown, fields: readonly string[]) => {
    if (data && typeof data === 'object') for (const f of fields) collect((data as Record<string, unknown>)[f]);
  };
  fieldsOf(context, personal.fields);
  for (const e of trail) fieldsOf(e.payload, e.fromState === null ? personal.fields : (personal.payload[e.eventType] ?? []));
  return out;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');

/** `text` with every clear personal value (also HTML-escaped, as Handlebars writes it) replaced by its masked form, longest first. */
export function redactText(text: string, values: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [clear, masked] of [...values].sort((a, b) => b[0].length - a[0].length)) {
    out = out.split(clear).join(masked);
    const escaped = escapeHtml(clear);
    if (escaped !== clear) out = out.split(escaped).join(escapeHtml(masked));
  }
  return out;
}

/** A copy with `redactText` applied to every string inside. */
export function redactDeep(data: unknown, values: ReadonlyMap<string, string>): unknown {
  if (values.size === 0) return data;
  if (typeof data === 'string') return redactText(data, values);
  if (Array.isArray(data)) return data.map((x) => redactDeep(x, values));
  if (data && typeof data === 'object') return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, redactDeep(v, values)]));
  return data;
}

export function maskInstance(view: InstanceView, mask: PersonalMask): InstanceView {
  return { ...view, context: redactDeep(maskFields(view.context, mask.personal.fields), mask.values) as Record<string, unknown> };
}

/** An audit entry as a masked reader sees it; `hash` and `prevHash` stay those of the stored entry. */
export function maskAuditEntry(entry: AuditEntryView, mask: PersonalMask): AuditEntryView {
  const { personal, values } = mask;
  // The creation entry's payload is the starting context; later entries carry the event's payload.
  const payloadFields = entry.fromState === null ? personal.fields : (personal.payload[entry.eventType] ?? []);
  return {
    ...entry,
    payload: redactDeep(maskFields(entry.payload, payloadFields), values),
    effects: redactDeep(maskNamed(entry.effects, personalNames(personal)), values),
  };
}

/** Outbox parameters as a masked reader sees them: declared names at any depth, quoted values in any text. */
export function maskOutboxParams(params: unknown, mask: PersonalMask): unknown {
  return redactDeep(maskNamed(params, personalNames(mask.personal)), mask.values);
}
