/**
 * `read:` (who reads which cases) and `personal:` (which fields hold a person's name or
 * contact, and who sees them in clear), checked against the declared roles, the context schema
 * and the events of the states. Pure: the engine's access policy and masking read the result.
 */
import type { PersonalDataDefinition, ReadDefinition, StateDefinition } from './definition.types';
import { isMap, SYSTEM_ROLE, type BuildContext, type Raw } from './definition-build-context';
import { checkRoles, type Declarations } from './definition-declarations';
import { compileAt, expressionChecks } from './definition-values';
import { didYouMean, quoteList } from './did-you-mean.util';

const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((v): v is string => typeof v === 'string') : []);

function contextFields(declared: Pick<Declarations, 'contextSchema'>): string[] | undefined {
  const props = declared.contextSchema.properties;
  return isMap(props) ? Object.keys(props) : undefined;
}

function checkContextField(ctx: BuildContext, declared: Pick<Declarations, 'contextSchema'>, field: string, path: (string | number)[]): void {
  const known = contextFields(declared);
  if (known && !known.includes(field)) {
    ctx.report(path, `'${field}' is not a field of the context; known fields: ${quoteList(known)}.${didYouMean(field, known)}`);
  }
}

/** `read:`; absent, every declared role reads every case (the behaviour before `read:` existed). */
export function buildRead(ctx: BuildContext, declared: Pick<Declarations, 'roles' | 'roleNames' | 'contextSchema'>, raw: Raw): ReadDefinition {
  if (!isMap(raw.read)) return { own: [], all: Object.keys(declared.roles) };
  const own = checkRoles(ctx, declared, raw.read.own, ['read', 'own']);
  const all = checkRoles(ctx, declared, raw.read.all, ['read', 'all']);
  [...own, ...all].forEach((role) => {
    if (role === SYSTEM_ROLE) ctx.report(['read'], `'system' is the engine's own actor and reads nothing; remove it from 'read'`);
  });
  own.forEach((role, i) => {
    if (all.includes(role)) ctx.report(['read', 'own', i], `the role '${role}' is under both 'own' and 'all'; keep it in one list`);
  });
  const ownerField = typeof raw.read.ownerField === 'string' ? raw.read.ownerField : undefined;
  if (ownerField) checkContextField(ctx, declared, ownerField, ['read', 'ownerField']);
  return { own, all, ...(ownerField ? { ownerField } : {}) };
}

/** `personal:`; absent, nothing is masked. */
export function buildPersonal(
  ctx: BuildContext,
  declared: Pick<Declarations, 'roles' | 'roleNames' | 'contextSchema' | 'ruleNames'>,
  raw: Raw,
  states: Readonly<Record<string, StateDefinition>>,
): PersonalDataDefinition {
  if (!isMap(raw.personal)) return { fields: [], payload: {}, clearFor: [] };
  const fields = strings(raw.personal.fields);
  fields.forEach((f, i) => checkContextField(ctx, declared, f, ['personal', 'fields', i]));
  const events = new Set(Object.values(states).flatMap((s) => Object.keys(s.on)));
  const payload: Record<string, readonly string[]> = {};
  if (isMap(raw.personal.payload)) {
    for (const [event, list] of Object.entries(raw.personal.payload)) {
      if (!events.has(event)) {
        ctx.report(
          ['personal', 'payload', event],
          `no state accepts an event '${event}'; events: ${quoteList([...events])}.${didYouMean(event, events)}`,
          'key',
        );
      }
      payload[event] = strings(list);
    }
  }
  const clearFor = checkRoles(ctx, declared, raw.personal.clearFor, ['personal', 'clearFor']);
  const clearWhen =
    typeof raw.personal.clearWhen === 'string' && raw.personal.clearWhen.startsWith('=')
      ? compileAt(ctx, raw.personal.clearWhen.slice(1), ['personal', 'clearWhen'], 1, expressionChecks(declared))
      : undefined;
  return { fields, payload, clearFor, ...(clearWhen ? { clearWhen } : {}) };
}
