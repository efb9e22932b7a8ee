/**
 * The receiving side's allow-list read against the sending side's actions (pure).
 */
import { acceptanceProblem, accepts, crossProcessActions, statesAcceptingFrom } from './definition-acceptance';
import { loadDefinition } from './definition-loader';
import type { ProcessDefinition } from './definition.types';

function load(text: string, file: string): ProcessDefinition {
  const result = loadDefinition(text, { file });
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return result.definition;
}

const ROUND = load(
  [
    'key: round',
    'title: 批次',
    'roles: { cs: {} }',
    'start: { roles: [cs], from: [planner] }',
    'initial: open',
    'states:',
    '  open:',
    '    on:',
    '      hold: { from: [pause], target: held }',
    '      poke: { roles: [system] }',
    '  held:',
    '    on:',
    '      hold: { roles: [cs] }',
    '      resume: { from: [pause], target: open }',
  ].join('\n'),
  'round.yaml',
);

const SENDER = load(
  [
    'key: pause',
    'title: 暂停',
    'roles: { head: {} }',
    'start: { roles: [head] }',
    'initial: open',
    'states:',
    '  open:',
    '    on:',
    '      go:',
    '        roles: [head]',
    '        actions:',
    '          - emit: { event: hold, definition: round, to: =payload.key }',
    '          - emit: { event: poke, definition: round, to: =payload.key }',
    '          - start: { definition: round, businessKey: =payload.key }',
    '          - emit: { event: done, to: parent }',
  ].join('\n'),
  'pause.yaml',
);

describe('cross-process acceptance', () => {
  it('lists the emit and start actions with the process each reaches', () => {
    expect(crossProcessActions(SENDER).map((a) => [a.kind, a.target, a.event, a.position.line])).toEqual([
      ['emit', 'round', 'hold', 12],
      ['emit', 'round', 'poke', 13],
      ['start', 'round', undefined, 14],
      ['emit', 'parent', 'done', 15],
    ]);
  });

  it("accepts an event only from the keys under 'from', per state; system in the roles lets no process in", () => {
    expect(statesAcceptingFrom(ROUND, 'hold', 'pause')).toEqual(['open']);
    expect(accepts(ROUND, { kind: 'emit', event: 'poke' }, 'pause')).toBe(false);
    expect(accepts(ROUND, { kind: 'start' }, 'planner')).toBe(true);
    expect(accepts(ROUND, { kind: 'start' }, 'pause')).toBe(false);
  });

  it('says at the action what the target would have to declare', () => {
    const [hold, poke, start] = crossProcessActions(SENDER);
    expect(acceptanceProblem(hold, ROUND, 'pause')).toBeUndefined();
    expect(acceptanceProblem(poke, ROUND, 'pause')).toMatchObject({
      file: 'pause.yaml',
      line: 13,
      message:
        "the emit action sends 'poke' to 'round', but 'round' does not accept 'poke' from 'pause': round.yaml would have to list pause under 'from' of 'poke' (declared in 'open')",
    });
    expect(acceptanceProblem(start, ROUND, 'pause')?.message).toBe(
      "the start action starts 'round', but 'round' does not accept being started by 'pause': round.yaml would have to list pause under start.from (start: { from: [pause] })",
    );
  });

  it('refuses a definition declaring the reserved role process, and an event or start with neither roles nor from', () => {
    const result = loadDefinition(
      [
        'key: x',
        'title: x',
        'roles: { process: {} }',
        'start: {}',
        'initial: a',
        'states:',
        '  a:',
        '    on:',
        '      e: { target: a }',
        '      s: { via: service, roles: [process], from: [y] }',
      ].join('\n'),
      { file: 'x.yaml' },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.message.slice(0, 60))).toEqual([
      "the role 'process' is the engine's mark of another process d",
      "'start' needs 'roles' (the people who may open a case, or sy",
      "'e' needs 'roles' (the people, or system for a deadline or s",
      "an event sent only through its service ('via: service') cann",
    ]);
  });
});
