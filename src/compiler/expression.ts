/**
 * Expressions: CEL (Common Expression Language, `@marcbachmann/cel-js`), sandboxed by design.
 *
 * CEL has no loops, no assignment and no access to the host: an expression can only read the
 * variables we register (`context`, `payload`, `rules`, `actor`, `now`). Every expression is
 * parsed and checked once, when the definition loads, so a typo fails the load instead of a live
 * transition. Evaluation is pure: `now` comes from the event (the engine's clock).
 *
 * Numbers: JSON numbers are doubles while CEL integer literals are ints, and CEL does not mix
 * them (`context.n + 1` would fail). So integral numbers in the scope become ints (BigInt)
 * before evaluation, int results come back as numbers, and mixed int/double arithmetic is
 * registered as operator overloads (`context.score * 1.5` works). Timestamps come back as
 * ISO-8601 strings.
 *
 * Budget: cel-js bounds what it parses (`limits` below); each evaluation is bounded by
 * expression-budget.ts (steps, and the size of the strings, lists and maps it builds), and
 * `matches` runs on RE2, a linear-time engine, instead of JavaScript's backtracking RegExp.
 */
import { Environment } from '@marcbachmann/cel-js';
import { AppError, ErrorCode } from '../common/app-error';
import type { CompiledExpression, DefinitionProblem, ExpressionScope, JsonSchema, SourcePosition } from '../definitions/definition.types';
import { didYouMean, quoteList } from '../definitions/did-you-mean.util';
import { chineseLocalTime, DEFAULT_TIME_ZONE } from '../calendar/local-time-text.util';
import { localDateOf, localParts } from '../calendar/zoned-time.util';
import { EXPRESSION_LIMITS, instrumentExpression, measuredWithinBudget, withinBudget } from './expression-budget';

export { EXPRESSION_LIMITS };

/** The only names an expression may use. */
export const EXPRESSION_VARIABLES = ['context', 'payload', 'rules', 'actor', 'now', 'instance'] as const;

/**
 * What `instance` holds: facts the engine records about the case, which no event can rewrite.
 * `startedBy`: the user who started it (`instances.created_by`; `system` for a case another
 * case or a schedule started).
 */
export const INSTANCE_FIELDS = ['startedBy'];

/** Longest expression accepted (characters). */
export const MAX_EXPRESSION_LENGTH = 2000;

const MACROS_BINDING_A_VARIABLE = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

function buildEnvironment(): Environment {
  const env = new Environment({
    homogeneousAggregateLiterals: false,
    limits: { maxAstNodes: 1000, maxDepth: 32, maxListElements: 200, maxMapEntries: 200, maxCallArguments: 16 },
  })
    .registerVariable('context', 'map')
    .registerVariable('payload', 'map')
    .registerVariable('rules', 'map')
    .registerVariable('actor', 'map')
    .registerVariable('now', 'google.protobuf.Timestamp')
    .registerVariable('instance', 'map');
  const arithmetic: Record<string, (a: number, b: number) => number> = {
    '+': (a, b) => a + b,
    '-': (a, b) => a - b,
    '*': (a, b) => a * b,
    '/': (a, b) => a / b,
  };
  for (const [op, fn] of Object.entries(arithmetic)) {
    env.registerOperator(`double ${op} int`, (a: number, b: bigint) => fn(a, Number(b)));
    env.registerOperator(`int ${op} double`, (a: bigint, b: number) => fn(Number(a), b));
  }
  // Calendar texts for business keys and reports, in the given IANA zone (default Asia/Shanghai):
  // localDate(now) = "2026-03-01", localMonth(now) = "2026-03", previousMonth(now) = "2026-02".
  const TS = 'google.protobuf.Timestamp';
  const month = (t: Date, zone: string, back: number) => {
    const p = localParts(t, zone);
    const index = p.year * 12 + (p.month - 1) - back;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  };
  for (const [name, fn] of Object.entries({
    localDate: (t: Date, zone: string) => localDateOf(t, zone),
    localMonth: (t: Date, zone: string) => month(t, zone, 0),
    previousMonth: (t: Date, zone: string) => month(t, zone, 1),
  })) {
    env.registerFunction(`${name}(${TS}): string`, (t: Date) => fn(t, DEFAULT_TIME_ZONE));
    env.registerFunction(`${name}(${TS}, string): string`, (t: Date, zone: string) => fn(t, zone));
  }
  // addMonths("2026-04-30", 3) = "2026-07-30": a date (text, or a timestamp read in the zone)
  // some calendar months later, the day kept or moved back to the month's last day
  // (addMonths("2026-11-30", 3) = "2027-02-28"); dates compare as texts (localDate(now) > …).
  const addMonths = (date: string, n: bigint) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.slice(0, 10));
    if (!m) throw new Error(`addMonths: '${date}' is not a date (YYYY-MM-DD)`);
    const index = Number(m[1]) * 12 + (Number(m[2]) - 1) + Number(n);
    const year = Math.floor(index / 12);
    const month = (index % 12) + 1;
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(Number(m[3]), last)).padStart(2, '0')}`;
  };
  env.registerFunction('addMonths(string, int): string', (date: string, n: bigint) => addMonths(date, n));
  env.registerFunction(`addMonths(${TS}, int): string`, (t: Date, n: bigint) => addMonths(localDateOf(t, DEFAULT_TIME_ZONE), n));
  // Dates for people (messages, refusals, titles), like the templates' helpers: dateCn(x) =
  // "2026年12月2日", dateTimeCn(x) = "2026年12月2日 02:13" (a date alone when x has no time).
  // x is a timestamp, ISO text (stored instants are strings) or null (""); a text that is not
  // a date or time is kept as it is, so a message never loses what was written.
  for (const [name, time] of [
    ['dateCn', false],
    ['dateTimeCn', true],
  ] as const) {
    const text = (x: unknown, timeZone: string) => (x === null ? '' : (chineseLocalTime(x, { time, timeZone }) ?? String(x)));
    for (const type of [TS, 'string', 'null']) {
      env.registerFunction(`${name}(${type}): string`, (x: unknown) => text(x, DEFAULT_TIME_ZONE));
      env.registerFunction(`${name}(${type}, string): string`, (x: unknown, zone: string) => text(x, zone));
    }
  }
  return env;
}

const environment = buildEnvironment();

/**
 * Fails at start when the budget's hooks no longer take effect (a cel-js upgrade that changed
 * how it evaluates its syntax tree): better no service than one without the budget. `(?i)` is
 * RE2 syntax that JavaScript's RegExp refuses, so the probe also proves `matches` runs on RE2.
 */
function assertBudgetIsEnforced(): void {
  const probe = environment.parse('"ABC".matches("(?i)^abc$") && [1, 2].map(x, "a" + "b").size() == 2');
  const checked = probe.check();
  const problems = checked.valid ? instrumentExpression(probe.ast) : [];
  let outcome: { result: unknown; steps: number; total: number } | undefined;
  try {
    outcome = measuredWithinBudget(() => probe({}));
  } catch {
    outcome = undefined;
  }
  if (!checked.valid || problems.length > 0 || outcome?.result !== true || outcome.steps < 10 || outcome.total < 4) {
    throw new Error(
      'expressions: the evaluation budget or RE2 matches() does not take effect with this version of @marcbachmann/cel-js; see src/compiler/expression-budget.ts',
    );
  }
}
assertBudgetIsEnforced();

/** What the loader knows when an expression is checked. */
export interface ExpressionChecks {
  readonly ruleNames: ReadonlySet<string>;
  /** The context JSON Schema; fields are checked where a level lists `properties`. */
  readonly contextSchema?: JsonSchema;
  /** The event's payload schema; undefined when the payload is not known (entry/exit actions). */
  readonly payloadSchema?: JsonSchema;
}

/** Maps an index in the expression source to a place in the YAML file. */
export type ExpressionLocator = (index: number) => SourcePosition;

export type CompileResult =
  { readonly ok: true; readonly expression: CompiledExpression } | { readonly ok: false; readonly problems: readonly DefinitionProblem[] };

interface AstNode {
  op: string;
  args: unknown;
  pos: number;
}

const isNode = (x: unknown): x is AstNode => typeof x === 'object' && x !== null && typeof (x as AstNode).op === 'string' && 'args' in x;

/** Strips cel-js's caret drawing: we give the position ourselves. */
function summaryOf(error: unknown): string {
  const e = error as { summary?: string; message?: string };
  return (e.summary ?? e.message ?? String(error)).split('\n')[0];
}

function errorIndex(error: unknown): number {
  const e = error as { node?: { pos?: number }; range?: { start?: number } };
  return e.range?.start ?? e.node?.pos ?? 0;
}

/** Parses and checks an expression; all problems carry a position in the YAML file. */
export function compileExpression(
  source: string,
  position: SourcePosition,
  checks: ExpressionChecks,
  locate: ExpressionLocator = () => position,
): CompileResult {
  const problem = (index: number, message: string): DefinitionProblem => ({ ...locate(index), message });
  if (source.trim() === '') return { ok: false, problems: [problem(0, 'the expression is empty')] };
  if (source.length > MAX_EXPRESSION_LENGTH) {
    return {
      ok: false,
      problems: [problem(0, `the expression is ${source.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}`)],
    };
  }
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = environment.parse(source);
  } catch (error) {
    return {
      ok: false,
      problems: [problem(errorIndex(error), `the expression \`${source}\` cannot be read: ${summaryOf(error)}`)],
    };
  }
  const problems = checkNames(parsed.ast as unknown as AstNode, checks, source, problem);
  if (problems.length === 0) {
    const checked = parsed.check();
    if (!checked.valid) {
      problems.push(problem(errorIndex(checked.error), `the expression \`${source}\` is not valid: ${summaryOf(checked.error)}`));
    }
  }
  if (problems.length === 0) {
    for (const refused of instrumentExpression(parsed.ast)) problems.push(problem(refused.index, refused.message));
  }
  if (problems.length > 0) return { ok: false, problems };
  const evaluate = parsed;
  return {
    ok: true,
    expression: {
      source,
      position,
      evaluate(scope: ExpressionScope): unknown {
        try {
          const celScope = toCelScope(scope);
          return fromCel(withinBudget(() => evaluate(celScope)));
        } catch (error) {
          throw new AppError(
            ErrorCode.ExpressionFailed,
            `the expression \`${source}\` (${position.file}:${position.line}:${position.column}, ${position.path}) failed: ${summaryOf(error)}`,
            { expression: source, file: position.file, line: position.line, column: position.column, path: position.path },
          );
        }
      },
    },
  };
}

/**
 * Refuses names other than the five variables (so `process`, `this`, `constructor` fail at load)
 * and checks `rules.X`, `context.X...` and `payload.X...` against what the definition declares.
 */
function checkNames(
  root: AstNode,
  checks: ExpressionChecks,
  source: string,
  problem: (index: number, message: string) => DefinitionProblem,
): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const allowed = new Set<string>(EXPRESSION_VARIABLES);

  const selectChain = (node: AstNode): { root: AstNode; fields: { name: string; pos: number }[] } | undefined => {
    const fields: { name: string; pos: number }[] = [];
    let current: AstNode = node;
    while (current.op === '.' || current.op === '.?') {
      const [object, field] = current.args as [AstNode, string];
      fields.unshift({ name: field, pos: current.pos });
      current = object;
    }
    return current.op === 'id' ? { root: current, fields } : undefined;
  };

  const checkChain = (rootName: string, fields: { name: string; pos: number }[]) => {
    if (fields.length === 0) return;
    if (rootName === 'rules') {
      const [rule] = fields;
      if (!checks.ruleNames.has(rule.name)) {
        problems.push(
          problem(
            rule.pos,
            `unknown rule '${rule.name}' in \`${source}\`; declared rules: ${quoteList(checks.ruleNames)}.${didYouMean(rule.name, checks.ruleNames)}`,
          ),
        );
      }
      return;
    }
    if (rootName === 'instance') {
      const [field] = fields;
      if (!INSTANCE_FIELDS.includes(field.name)) {
        problems.push(problem(field.pos, `'${field.name}' is not a field of 'instance' (in \`${source}\`); known fields: ${quoteList(INSTANCE_FIELDS)}`));
      }
      return;
    }
    const schema = rootName === 'context' ? checks.contextSchema : rootName === 'payload' ? checks.payloadSchema : undefined;
    if (!schema) return;
    const missing = findUndeclaredField(
      schema,
      fields.map((f) => f.name),
    );
    if (missing) {
      const field = fields[missing.depth];
      const where = [rootName, ...fields.slice(0, missing.depth).map((f) => f.name)].join('.');
      const what = rootName === 'context' ? 'the context' : "the event's payload";
      problems.push(
        problem(
          field.pos,
          `'${field.name}' is not a field of ${where === rootName ? what : `'${where}'`} (in \`${source}\`); known fields: ${quoteList(missing.known)}.${didYouMean(field.name, missing.known)}`,
        ),
      );
    }
  };

  const visit = (value: unknown, bound: ReadonlySet<string>): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, bound);
      return;
    }
    if (!isNode(value)) return;
    const node = value;
    if (node.op === 'id') {
      const name = node.args as string;
      if (!allowed.has(name) && !bound.has(name)) {
        problems.push(problem(node.pos, `unknown name '${name}' in \`${source}\`; expressions can use ${EXPRESSION_VARIABLES.join(', ')}`));
      }
      return;
    }
    if (node.op === '.' || node.op === '.?') {
      const chain = selectChain(node);
      if (chain && !bound.has(chain.root.args as string)) checkChain(chain.root.args as string, chain.fields);
      visit(chain ? chain.root : (node.args as unknown[])[0], bound);
      return;
    }
    if (node.op === 'rcall') {
      const [name, receiver, args] = node.args as [string, AstNode, AstNode[]];
      visit(receiver, bound);
      if (MACROS_BINDING_A_VARIABLE.has(name) && args.length >= 2 && args[0]?.op === 'id') {
        const inner = new Set(bound).add(args[0].args as string);
        for (const arg of args.slice(1)) visit(arg, inner);
      } else {
        visit(args, bound);
      }
      return;
    }
    if (node.op === 'call') {
      const [, args] = node.args as [string, AstNode[]];
      visit(args, bound);
      return;
    }
    if (node.op === 'value') return;
    visit(node.args, bound);
  };
  visit(root, new Set());
  return problems;
}

/** The first field of `path` a schema level with `properties` does not declare, if any. */
function findUndeclaredField(schema: JsonSchema, path: readonly string[]): { depth: number; known: string[] } | undefined {
  let level: JsonSchema | undefined = schema;
  for (let depth = 0; depth < path.length && level; depth++) {
    const properties = level.properties as Record<string, JsonSchema> | undefined;
    if (!properties || typeof properties !== 'object') return undefined;
    const next: JsonSchema | undefined = Object.hasOwn(properties, path[depth]) ? properties[path[depth]] : undefined;
    if (!next) return { depth, known: Object.keys(properties) };
    level = typeof next === 'object' ? next : undefined;
  }
  return undefined;
}

/** Integral numbers → BigInt (CEL ints), ISO `now` → Date; recursively for lists and maps. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  // Array.from: a fresh array of this realm (cel-js checks the constructor; jest runs in a VM context).
  if (Array.isArray(value)) return Array.from(value, toCel);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  }
  return value;
}

function toCelScope(scope: ExpressionScope): Record<string, unknown> {
  const now = new Date(scope.now);
  if (Number.isNaN(now.getTime())) throw new Error(`'now' is not a valid time: ${scope.now}`);
  return {
    context: toCel(scope.context),
    payload: toCel(scope.payload),
    rules: toCel(scope.rules),
    // `actor.name` is the name printed on forms: the display name, or the login id when there is none.
    actor: { ...(scope.actor.attributes ?? {}), id: scope.actor.id, roles: [...scope.actor.roles], name: scope.actor.name ?? scope.actor.id },
    now,
    instance: { startedBy: scope.instance?.startedBy ?? '' },
  };
}

/** CEL results → JSON-compatible values: BigInt → number, Date → ISO string. */
export function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), fromCel(v)]));
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromCel(v)]));
    }
    return String(value);
  }
  return value;
}
