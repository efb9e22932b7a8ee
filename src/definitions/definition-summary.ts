/**
 * `summary:` — the one-line summary a definition declares for cards and lists (the 工作台's
 * 我的待办, 审计), e.g. `'{unit} {content} — {department}'`: text with `{field}` placeholders
 * naming top-level fields of the context. Checked at load (every placeholder a declared context
 * field); filled by the reader of the case with the case's data as that reader sees it
 * (personal data masked), an empty value leaving its placeholder out.
 */
import type { JsonSchema } from './definition.types';
import type { BuildContext, Raw } from './definition-build-context';
import { closestMatch, quoteList } from './did-you-mean.util';

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The checked summary template, or undefined when the definition declares none (or it has errors, reported). */
export function buildSummary(ctx: BuildContext, raw: Raw, contextSchema: JsonSchema): string | undefined {
  if (typeof raw.summary !== 'string') return undefined;
  const fields = Object.keys(((contextSchema as { properties?: Record<string, unknown> }).properties ?? {}) as object);
  let ok = true;
  for (const [, name] of raw.summary.matchAll(PLACEHOLDER)) {
    if (fields.includes(name)) continue;
    ok = false;
    const hint = closestMatch(name, fields);
    ctx.report(
      ['summary'],
      `summary names '{${name}}', which is not a field of the context${hint ? `; did you mean '{${hint}}'?` : `; the context's fields: ${quoteList(fields)}`}`,
      'value',
    );
  }
  return ok ? raw.summary : undefined;
}

/** The summary of a case: each `{field}` replaced by `display(context[field])`, empty values left out, spaces tidied. */
export function fillSummary(template: string, context: Readonly<Record<string, unknown>>, display: (value: unknown) => string): string {
  return template
    .replace(PLACEHOLDER, (_, name: string) => (Object.prototype.hasOwnProperty.call(context, name) ? display(context[name]) : ''))
    .replace(/\s+/g, ' ')
    .replace(/\s*(—|·)\s*$/, '')
    .trim();
}
