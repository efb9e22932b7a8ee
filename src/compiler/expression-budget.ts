/**
 * A budget for each evaluation of an expression: CEL has no loops, but macros (`map`, `filter`,
 * `all`, …) nest, `+` and `join` build text, and `matches` runs a regular expression, so a short
 * expression can still build 100 MB or work for minutes. Every evaluation gets a fresh budget of
 * steps and of values built (`EXPRESSION_LIMITS`); the first limit reached fails that one
 * evaluation with an error naming the limit. cel-js limits only what it parses (`limits`
 * option, set in expression.ts), so the evaluation is bounded here.
 *
 * How: after an expression is parsed and type-checked, every node of its syntax tree gets its
 * own `evaluate` (cel-js 8 calls `node.evaluate(evaluator, node, ctx)` for each node it runs,
 * see `Evaluator.run`), which counts one step and measures the value the node returns. Two
 * functions are run by us instead of cel-js: `matches` (RE2, see linear-regexp.util.ts; cel-js
 * uses JavaScript's backtracking RegExp) and `join` (its length is checked before the text is
 * built). `assertBudgetIsEnforced` checks once, at start, that these hooks still take effect.
 */
import { cachedLinearRegExp, compileLinearRegExp, type LinearRegExp } from '../common/linear-regexp.util';

/** The limits of one evaluation; documented in definitions/README.md (Expressions). */
export const EXPRESSION_LIMITS = Object.freeze({
  /** Characters of any string (or bytes of any bytes value) an expression builds. */
  maxStringLength: 65_536,
  /** Elements of any list it builds. */
  maxListLength: 10_000,
  /** Entries of any map it builds. */
  maxMapSize: 10_000,
  /** Characters, elements and entries of all the values one evaluation builds, together. */
  maxTotalSize: 1_000_000,
  /**
   * Steps of one evaluation: each node of the expression evaluated counts one (so each
   * iteration of a macro counts its body); a `matches` also counts (text length × compiled
   * pattern size) / 100, which keeps the slowest patterns found under about 0.1 s.
   */
  maxSteps: 100_000,
});

/**
 * A regular-expression match costs one step per this many (character × pattern size): RE2's
 * slowest case found (`(a|b)*a(a|b){25}$`, a large NFA) takes about 10 ns per unit, so a whole
 * budget of matching stays near 0.1 s.
 */
const REGEX_UNITS_PER_STEP = 100;

const n = (x: number) => x.toLocaleString('en-US');

/** A limit of `EXPRESSION_LIMITS` was reached; the message names it. */
export class ExpressionLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionLimitError';
  }
}

class Budget {
  steps = 0;
  total = 0;
  /** Sticky: CEL's `||`, `&&` and `exists` swallow errors, the budget does not. */
  exceeded?: ExpressionLimitError;

  fail(message: string): never {
    this.exceeded ??= new ExpressionLimitError(message);
    throw this.exceeded;
  }

  step(cost = 1): void {
    if (this.exceeded) throw this.exceeded;
    this.steps += cost;
    if (this.steps > EXPRESSION_LIMITS.maxSteps) {
      this.fail(`it took more than maxSteps = ${n(EXPRESSION_LIMITS.maxSteps)} steps (nested macros over long lists, or regular expressions on long texts)`);
    }
  }

  /** Checks one value built; `counted` adds its size to the total. */
  built(value: unknown, counted: boolean): void {
    const measured = measure(value);
    if (!measured) return;
    const [kind, size] = measured;
    if (kind === 'string') this.string(size);
    if (kind === 'list' && size > EXPRESSION_LIMITS.maxListLength) {
      this.fail(`it built a list of ${n(size)} elements; the limit is maxListLength = ${n(EXPRESSION_LIMITS.maxListLength)}`);
    }
    if (kind === 'map' && size > EXPRESSION_LIMITS.maxMapSize) {
      this.fail(`it built a map of ${n(size)} entries; the limit is maxMapSize = ${n(EXPRESSION_LIMITS.maxMapSize)}`);
    }
    if (counted) this.count(size);
  }

  string(length: number): void {
    if (length > EXPRESSION_LIMITS.maxStringLength) {
      this.fail(`it built a string of ${n(length)} characters; the limit is maxStringLength = ${n(EXPRESSION_LIMITS.maxStringLength)} characters`);
    }
  }

  count(size: number): void {
    this.total += size;
    if (this.total > EXPRESSION_LIMITS.maxTotalSize) {
      this.fail(`it built more than maxTotalSize = ${n(EXPRESSION_LIMITS.maxTotalSize)} characters and elements in all`);
    }
  }
}

function measure(value: unknown): ['string' | 'list' | 'map', number] | undefined {
  if (typeof value === 'string') return ['string', value.length];
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) return ['list', value.length];
  if (value instanceof Uint8Array) return ['string', value.length];
  if (value instanceof Map || value instanceof Set) return ['map', value.size];
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return ['map', Object.keys(value).length];
  return undefined;
}

let active: Budget | undefined;

/** Runs one evaluation with a fresh budget; a limit reached anywhere fails it, even if swallowed. */
export function withinBudget<T>(evaluate: () => T): T {
  return measuredWithinBudget(evaluate).result;
}

/** `withinBudget`, also telling the steps and the size built that the evaluation used. */
export function measuredWithinBudget<T>(evaluate: () => T): { result: T; steps: number; total: number } {
  const outer = active;
  const budget = new Budget();
  active = budget;
  try {
    const result = evaluate();
    if (budget.exceeded) throw budget.exceeded;
    return { result, steps: budget.steps, total: budget.total };
  } finally {
    active = outer;
  }
}

function budget(): Budget {
  if (!active) throw new Error('an expression was evaluated outside withinBudget');
  return active;
}

/** The parts of a cel-js 8 syntax-tree node used here (`ASTNode` in its parser.js). */
interface CelNode {
  op: string;
  args: unknown;
  pos: number;
  readonly meta: { evaluate: Evaluate; alternate?: CelNode; macro?: { evaluate: Evaluate } & Record<string, unknown> };
  evaluate: Evaluate;
}
type Evaluate = (ev: CelEvaluator, node: unknown, ctx: unknown) => unknown;
interface CelEvaluator {
  run(node: CelNode, ctx: unknown): unknown;
}

const isCelNode = (x: unknown): x is CelNode =>
  typeof x === 'object' && x !== null && typeof (x as CelNode).op === 'string' && typeof (x as CelNode).evaluate === 'function' && 'meta' in x;

/** Nodes that return a value they did not build (or a boolean/number): a step, nothing measured. */
const PASSING_ON = new Set([
  'value',
  'id',
  '.',
  '.?',
  '[]',
  '[?]',
  '?:',
  '||',
  '&&',
  'accuValue',
  'accuInc',
  '!_',
  '-_',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'in',
  '-',
  '*',
  '/',
  '%',
]);

/** A literal pattern RE2 refuses, with its index in the expression source. */
export interface PatternProblem {
  readonly index: number;
  readonly message: string;
}

/**
 * Gives every node of a parsed and checked expression its budgeted `evaluate`, and compiles the
 * literal patterns of `matches` now (so the definition load reports those RE2 refuses).
 */
export function instrumentExpression(root: unknown): PatternProblem[] {
  const problems: PatternProblem[] = [];
  const seen = new Set<object>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      pending.push(...value);
      continue;
    }
    if (!isCelNode(value)) {
      // Comprehension arguments ({ iterable, init, step, ... }): only their nodes.
      if (Object.getPrototypeOf(value) === Object.prototype) pending.push(...Object.values(value).filter((v) => isCelNode(v) || Array.isArray(v)));
      continue;
    }
    const node = value;
    const { alternate, macro } = node.meta;
    pending.push(node.args);
    if (alternate) pending.push(alternate);
    if (macro) pending.push(...Object.values(macro).filter((v) => isCelNode(v) || Array.isArray(v)));
    node.evaluate = budgeted(node, problems);
  }
  return problems;
}

function budgeted(node: CelNode, problems: PatternProblem[]): Evaluate {
  const { alternate, macro, evaluate } = node.meta;
  if (alternate) return (ev, _node, ctx) => (budget().step(), alternate.evaluate(ev, alternate, ctx));
  if (macro) return (ev, _node, ctx) => (budget().step(), macro.evaluate(ev, macro, ctx));
  if (node.op === 'rcall') {
    const [name, receiver, args] = node.args as [string, CelNode, CelNode[]];
    if (name === 'matches' && args.length === 1) return matches(receiver, args[0], problems);
    if (name === 'join' && args.length <= 1) return join(receiver, args[0]);
  }
  if (PASSING_ON.has(node.op)) return (ev, self, ctx) => (budget().step(), evaluate(ev, self, ctx));
  if (node.op === 'accuPush') {
    // The macro's result list, one element longer: measured, and one element counted.
    return (ev, self, ctx) => {
      const b = budget();
      b.step();
      const list = evaluate(ev, self, ctx);
      b.built(list, false);
      b.count(1);
      return list;
    };
  }
  const counted = node.op !== 'comprehension'; // its elements were counted as they were pushed
  return (ev, self, ctx) => {
    const b = budget();
    b.step();
    const result = evaluate(ev, self, ctx);
    b.built(result, counted);
    return result;
  };
}

/** `text.matches(pattern)` on RE2; a literal pattern is compiled once, here. */
function matches(receiver: CelNode, patternNode: CelNode, problems: PatternProblem[]): Evaluate {
  let literal: LinearRegExp | undefined;
  if (patternNode.op === 'value' && typeof patternNode.args === 'string') {
    const compiled = compileLinearRegExp(patternNode.args);
    if (compiled.ok) literal = compiled.regexp;
    else problems.push({ index: patternNode.pos, message: compiled.message });
  }
  return (ev, _node, ctx) => {
    const b = budget();
    b.step();
    const text = ev.run(receiver, ctx);
    const regexp = literal ?? compiledAtRunTime(ev.run(patternNode, ctx));
    if (typeof text !== 'string') throw new Error(`matches() reads text, but the value is ${describe(text)}`);
    b.step(Math.floor((text.length * regexp.size) / REGEX_UNITS_PER_STEP));
    return regexp.test(text);
  };
}

function compiledAtRunTime(pattern: unknown): LinearRegExp {
  if (typeof pattern !== 'string') throw new Error(`the pattern of matches() must be text, but it is ${describe(pattern)}`);
  const compiled = cachedLinearRegExp(pattern);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.regexp;
}

/** `list.join(separator)`: the length is checked before the text is built. */
function join(receiver: CelNode, separatorNode: CelNode | undefined): Evaluate {
  return (ev, _node, ctx) => {
    const b = budget();
    b.step();
    const list = ev.run(receiver, ctx);
    const separator = separatorNode ? ev.run(separatorNode, ctx) : '';
    if (!Array.isArray(list) || typeof separator !== 'string') throw new Error('join() needs a list of strings (and a string separator)');
    let length = separator.length * Math.max(0, list.length - 1);
    for (const item of list) {
      if (typeof item !== 'string') throw new Error('join(): the list must contain only strings');
      length += item.length;
    }
    b.string(length);
    b.count(length);
    return list.join(separator);
  };
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : `${typeof value} ${String(value)}`;
}
