/**
 * The worst case of the expression budget (security issue, item 2): the catastrophic pattern
 * `^(a+)+$` on 5,001 characters, evaluated as a guard through the engine's expressions (RE2
 * `matches` and the step budget), against a safe pattern of the same size on the same text.
 * Before the fix the evil case never returned (JavaScript's RegExp doubles its work with each
 * character), so a before/after on 5,000 characters cannot be measured in one build: the native
 * line shows that doubling on short texts instead, and the last line shows what the budget's
 * hooks cost on an ordinary guard (the same expression on a bare cel-js environment, with and
 * without the hooks, and through the engine's evaluate, which also converts the scope).
 * A third line times the slowest pattern found that the step budget still lets through once
 * (a large NFA on 98,000 characters), i.e. the most one `matches` may cost.
 * Runs are interleaved (each round runs every case once) and medians are reported.
 * Options (env): BENCH_REGEX_ROUNDS (default 15), BENCH_REGEX_EVALS (per case and round, default 200).
 */
import { Environment } from '@marcbachmann/cel-js';
import { compileExpression } from '../../src/compiler/expression';
import { instrumentExpression, withinBudget } from '../../src/compiler/expression-budget';
import type { ExpressionScope, SourcePosition } from '../../src/definitions/definition.types';

const ROUNDS = Number(process.env.BENCH_REGEX_ROUNDS ?? 15);
const EVALS = Number(process.env.BENCH_REGEX_EVALS ?? 200);
const TEXT = 'a'.repeat(5000) + '!';
const position: SourcePosition = { file: 'bench.yaml', line: 1, column: 1, path: 'when' };

const scopeWith = (payload: Record<string, unknown>): ExpressionScope => ({
  context: { n: 3, tags: ['a', 'b'] },
  payload,
  rules: { limit: 5 },
  actor: { id: 'u', roles: ['user'] },
  now: '2026-01-01T00:00:00.000Z',
});

function guard(source: string): (scope: ExpressionScope) => unknown {
  const compiled = compileExpression(source, position, { ruleNames: new Set(['limit']) });
  if (!compiled.ok) throw new Error(compiled.problems.map((p) => p.message).join('; '));
  return (scope) => compiled.expression.evaluate(scope);
}

/** Milliseconds per call of `run`, timed over `times` calls. */
function perCall(run: () => unknown, times: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < times; i++) run();
  return Number(process.hrtime.bigint() - t0) / 1e6 / times;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => (x >= 1 ? x.toFixed(2) : x >= 0.01 ? x.toFixed(3) : x.toFixed(4));

export function benchExpressionRegex(): void {
  const evil = guard('payload.s.matches("^(a+)+$")');
  const safe = guard('payload.s.matches("^([a-z]+)$")');
  const ordinary = guard('context.n + 1 < rules.limit && "a" in context.tags && payload.s.size() > 0');
  const text = scopeWith({ s: TEXT });
  if (evil(text) !== false || safe(text) !== false) throw new Error('bench: unexpected match results');

  // The same ordinary guard on cel-js without the budget's hooks (ints as BigInt, as the engine passes them).
  const bare = new Environment({ homogeneousAggregateLiterals: false })
    .registerVariable('context', 'map')
    .registerVariable('payload', 'map')
    .registerVariable('rules', 'map');
  const ORDINARY = 'context.n + 1 < rules.limit && "a" in context.tags && payload.s.size() > 0';
  const bareGuard = bare.parse(ORDINARY);
  const hookedGuard = bare.parse(ORDINARY);
  if (!hookedGuard.check().valid) throw new Error('bench: the ordinary guard does not check');
  instrumentExpression(hookedGuard.ast);
  const bareScope = { context: { n: 3n, tags: ['a', 'b'] }, payload: { s: 'abc' }, rules: { limit: 5n } };
  const short = scopeWith({ s: 'abc' });

  // Its DFA blows up, so RE2 falls back to its NFA: about 10 ns per character × pattern size.
  const slowest = guard('payload.s.matches("(a|b)*a(a|b){25}$")');
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const slowText = scopeWith({ s: Array.from({ length: 98_000 }, () => (random() < 0.5 ? 'a' : 'b')).join('') + '!' });
  const coldMs = perCall(() => slowest(slowText), 1);

  const nativeLengths = [16, 18, 20, 22];
  const samples = {
    evil: [] as number[],
    safe: [] as number[],
    slowest: [] as number[],
    ordinary: [] as number[],
    bare: [] as number[],
    hooked: [] as number[],
  };
  const native: number[][] = nativeLengths.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    samples.evil.push(perCall(() => evil(text), EVALS));
    samples.safe.push(perCall(() => safe(text), EVALS));
    samples.slowest.push(perCall(() => slowest(slowText), 1));
    samples.ordinary.push(perCall(() => ordinary(short), EVALS * 10));
    samples.bare.push(perCall(() => bareGuard(bareScope), EVALS * 10));
    samples.hooked.push(perCall(() => withinBudget(() => hookedGuard(bareScope)), EVALS * 10));
    nativeLengths.forEach((n, i) => {
      const input = 'a'.repeat(n) + '!';
      native[i].push(perCall(() => /^(a+)+$/.test(input), 1));
    });
  }
  const evilMs = median(samples.evil);
  const safeMs = median(samples.safe);
  console.log(
    `regex      RE2 matches on 5,001 chars (median of ${ROUNDS} rounds × ${EVALS}): ^(a+)+$ ${ms(evilMs)} ms/eval, ` +
      `^([a-z]+)$ ${ms(safeMs)} ms/eval, ratio evil/safe ${(evilMs / safeMs).toFixed(2)}`,
  );
  console.log(
    `regex      slowest allowed: (a|b)*a(a|b){25}$ on 98,001 chars: first ${ms(coldMs)} ms, then ${ms(median(samples.slowest))} ms/eval ` +
      `(about 81,000 of the 100,000 steps; twice that is refused)`,
  );
  console.log(
    `regex      JavaScript RegExp ^(a+)+$ (the engine before the fix) on n a's + '!': ` +
      nativeLengths.map((n, i) => `n=${n} ${ms(median(native[i]))} ms`).join(', ') +
      '; ×2 per character, so n=5,000 never returns',
  );
  const [bareUs, hookedUs, engineUs] = [samples.bare, samples.hooked, samples.ordinary].map((xs) => median(xs) * 1000);
  console.log(
    `budget     ordinary guard: bare cel-js ${ms(bareUs)} µs/eval, with the budget's hooks ${ms(hookedUs)} µs ` +
      `(×${(hookedUs / bareUs).toFixed(2)}), through the engine's evaluate (scope conversion too) ${ms(engineUs)} µs`,
  );
}

if (require.main === module) benchExpressionRegex();
