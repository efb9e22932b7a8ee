/**
 * Forms generated from a JSON Schema (an event's payload, a definition's context): the fields
 * to show, and the payload built back from the submitted form. Pure: no Nest, no engine.
 *
 * - `enum` → select; `boolean` → select 是/否; `format: date` → date input; `format: date-time`
 *   → datetime-local (read back in the calendar's time zone); `integer`/`number` → number input;
 *   a string with `maxLength` over 200 or none → textarea; objects and arrays → a JSON textarea.
 * - Labels are the schema's `title` (else the field name), hints its `description`; required
 *   fields are marked. Errors (JSON paths from the engine, e.g. `$.reason`) are attached to the
 *   field they name; errors of deeper paths go to their top-level field.
 */
import type { JsonSchema } from '../definitions/definition.types';

export type FieldKind = 'text' | 'textarea' | 'select' | 'date' | 'datetime' | 'number' | 'json';

export interface FormField {
  readonly name: string;
  /** The form control's name: `f.<field>`. */
  readonly control: string;
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly required: boolean;
  readonly kind: FieldKind;
  readonly options: readonly { value: string; label: string; selected: boolean }[];
  readonly value: string;
  readonly errors: readonly string[];
}

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

type Schema = Record<string, unknown>;

const props = (schema: JsonSchema): Record<string, Schema> => ((schema as Schema).properties as Record<string, Schema> | undefined) ?? {};
const requiredOf = (schema: JsonSchema): string[] => ((schema as Schema).required as string[] | undefined) ?? [];

function kindOf(s: Schema): FieldKind {
  if (Array.isArray(s.enum) || s.type === 'boolean') return 'select';
  if (s.type === 'object' || s.type === 'array') return 'json';
  if (s.type === 'integer' || s.type === 'number') return 'number';
  if (s.format === 'date') return 'date';
  if (s.format === 'date-time') return 'datetime';
  if (typeof s.maxLength === 'number' && s.maxLength <= 200) return 'text';
  return 'textarea';
}

/** The top-level field an error path names (`$.a.b` → `a`, `$["x y"]` → `x y`), or undefined for `$`. */
export function fieldOfPath(path: string): string | undefined {
  const m = /^\$(?:\.([A-Za-z_$][\w$]*)|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\])/.exec(path);
  if (!m) return undefined;
  if (m[1] !== undefined) return m[1];
  if (m[2] !== undefined) return JSON.parse(`"${m[2]}"`) as string;
  return m[3];
}

/** The engine's (ajv's) English messages in plain Chinese, for the person filling the form. */
export function chineseFieldMessage(message: string): string {
  if (message === 'is required') return '必填';
  if (message === 'is not an allowed field') return '不是允许的字段';
  if (message.startsWith('must be one of:')) return `必须是以下之一：${message.slice('must be one of:'.length).trim()}`;
  const fewer = /^must NOT have fewer than (\d+) characters$/.exec(message);
  if (fewer) return fewer[1] === '1' ? '不能为空' : `至少 ${fewer[1]} 个字`;
  const more = /^must NOT have more than (\d+) characters$/.exec(message);
  if (more) return `最多 ${more[1]} 个字`;
  if (/^must match format/.test(message)) return '格式不对';
  if (/^must be (string|integer|number|boolean|object|array)$/.test(message)) return '类型不对';
  return message;
}

/** The fields of a form for `schema`, filled with `values` (as submitted) and the errors by JSON path. */
export function formFields(
  schema: JsonSchema,
  options: {
    values?: Readonly<Record<string, string>>;
    errors?: readonly FieldError[];
    only?: readonly string[];
    idPrefix?: string;
    /** Labels for fields without a `title` (e.g. the case context's title of a same-named field). */
    labels?: Readonly<Record<string, string>>;
  } = {},
): FormField[] {
  const required = new Set(requiredOf(schema));
  const byField = new Map<string, string[]>();
  for (const e of options.errors ?? []) {
    const f = fieldOfPath(e.path);
    if (f === undefined) continue;
    byField.set(f, [...(byField.get(f) ?? []), chineseFieldMessage(e.message)]);
  }
  const entries = Object.entries(props(schema)).filter(([name]) => !options.only || options.only.includes(name));
  return entries.map(([name, s], i) => {
    const kind = kindOf(s);
    const value = options.values?.[name] ?? '';
    const choices: { value: string; label: string }[] =
      s.type === 'boolean'
        ? [
            { value: 'true', label: '是' },
            { value: 'false', label: '否' },
          ]
        : Array.isArray(s.enum)
          ? s.enum.map((v) => ({ value: typeof v === 'string' ? v : JSON.stringify(v), label: String(v) }))
          : [];
    return {
      name,
      control: `f.${name}`,
      id: `${options.idPrefix ?? 'f'}-${i}`,
      label: typeof s.title === 'string' ? s.title : (options.labels?.[name] ?? name),
      ...(typeof s.description === 'string' ? { description: s.description } : {}),
      required: required.has(name),
      kind,
      options: choices.map((c) => ({ ...c, selected: c.value === value })),
      value,
      errors: byField.get(name) ?? [],
    };
  });
}

/** The submitted values of the form's fields (`f.<name>` → name), as strings. */
export function submittedValues(body: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (k.startsWith('f.') && typeof v === 'string') out[k.slice(2)] = v;
  return out;
}

/**
 * The payload from submitted values: empty fields are left out (so `required` reports them),
 * numbers, booleans, JSON and local date-times converted (`toInstant` turns `2026-02-13T10:00`
 * into an ISO instant in the calendar's zone). Values that cannot be converted are errors by path.
 */
export function payloadFromForm(
  schema: JsonSchema,
  values: Readonly<Record<string, string>>,
  toInstant: (local: string) => string | undefined,
): { payload: Record<string, unknown>; errors: FieldError[] } {
  const payload: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const [name, s] of Object.entries(props(schema))) {
    const raw = values[name];
    if (raw === undefined || raw.trim() === '') continue;
    const path = `$.${name}`;
    const value = raw.trim();
    if (s.type === 'boolean') {
      if (value === 'true' || value === 'false') payload[name] = value === 'true';
      else errors.push({ path, message: '请选择 是 或 否' });
    } else if (s.type === 'integer' || s.type === 'number') {
      const n = Number(value);
      if (Number.isFinite(n) && (s.type === 'number' || Number.isInteger(n))) payload[name] = n;
      else errors.push({ path, message: s.type === 'integer' ? '请填整数' : '请填数字' });
    } else if (s.type === 'object' || s.type === 'array') {
      try {
        payload[name] = JSON.parse(value) as unknown;
      } catch {
        errors.push({ path, message: '不是有效的 JSON' });
      }
    } else if (Array.isArray(s.enum) && !s.enum.every((v) => typeof v === 'string')) {
      try {
        payload[name] = JSON.parse(value) as unknown;
      } catch {
        payload[name] = value;
      }
    } else if (s.format === 'date-time' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) {
      const instant = toInstant(value);
      if (instant) payload[name] = instant;
      else errors.push({ path, message: '时间格式不对' });
    } else {
      payload[name] = raw;
    }
  }
  return { payload, errors };
}
