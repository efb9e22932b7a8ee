/**
 * `via: service` (definitions/README.md "Events"): an event only the process's application
 * service sends. The key loads and is checked; the machine refuses a plain send, naming the API
 * to use, and accepts it when the engine says the service sent it; its `roles` still apply.
 */
import { ErrorCode } from '../common/app-error';
import { loadDefinition } from '../definitions/definition-loader';
import type { DefinitionProblem, ProcessDefinition } from '../definitions/definition.types';
import { createProcessMachine } from './process-machine';
import { thrownAppError as thrown } from '../../test/support/app-error';

function doc(event: string[]): string {
  return [
    'key: roster-demo',
    'title: 名单',
    'roles:',
    '  clerk: { title: 文员 }',
    '  boss: { title: 经理 }',
    'start:',
    '  roles: [clerk]',
    'context:',
    '  type: object',
    '  properties:',
    '    rows: { type: integer }',
    'initial: open',
    'states:',
    '  open:',
    '    title: 导入名单',
    '    on:',
    '      importRows:',
    '        title: 导入',
    ...event,
    '        payload: { type: object, properties: { rows: { type: integer } } }',
    '        target: done',
    '        assign: { rows: =payload.rows }',
    '  done:',
    '    type: final',
  ].join('\n');
}

function load(text: string): ProcessDefinition {
  const result = loadDefinition(text, { file: 'roster-demo.yaml' });
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return result.definition;
}

function errorsOf(text: string): DefinitionProblem[] {
  const result = loadDefinition(text, { file: 'roster-demo.yaml' });
  if (result.ok) throw new Error('expected the definition to be refused');
  return result.errors;
}

const clerk = { id: 'li', roles: ['clerk'] };
const boss = { id: 'wang', roles: ['boss'] };
const NOW = '2026-03-02T01:00:00.000Z';

describe('via: service', () => {
  const definition = load(doc(['        roles: [clerk]', '        via: service', '        api: PUT /rows/:id']));
  const machine = createProcessMachine(definition);
  const start = () => machine.start({}, clerk, NOW);

  it('loads into the event definition', () => {
    expect(definition.states.open.on.importRows).toMatchObject({ via: 'service', api: 'PUT /rows/:id', roles: ['clerk'] });
  });

  it('refuses a plain send with a message naming the API to use', () => {
    const s = start();
    const err = thrown(() => machine.send(s.state, s.context, { type: 'importRows', payload: { rows: 3 }, actor: clerk, now: NOW }));
    expect(err.code).toBe(ErrorCode.Forbidden);
    expect(err.message).toBe(
      "'importRows' (导入) can only be sent through the application service of 'roster-demo', which records its data in the same step: use PUT /rows/:id; it cannot be sent as a plain event (POST /instances/:id/events)",
    );
    expect(err.details).toMatchObject({ event: 'importRows', via: 'service', api: 'PUT /rows/:id' });
  });

  it('accepts it from the service, for the roles the event names', () => {
    const s = start();
    const next = machine.send(s.state, s.context, { type: 'importRows', payload: { rows: 3 }, actor: clerk, now: NOW, viaService: true });
    expect(next).toMatchObject({ state: 'done', context: { rows: 3 } });
    expect(thrown(() => machine.send(s.state, s.context, { type: 'importRows', payload: { rows: 3 }, actor: boss, now: NOW, viaService: true })).code).toBe(
      ErrorCode.Forbidden,
    );
  });

  it('needs no api: the refusal then names the service only', () => {
    const plain = createProcessMachine(load(doc(['        roles: [clerk]', '        via: service'])));
    const s = plain.start({}, clerk, NOW);
    expect(thrown(() => plain.send(s.state, s.context, { type: 'importRows', payload: {}, actor: clerk, now: NOW })).message).toMatch(
      /^'importRows' \(导入\) can only be sent through the application service of 'roster-demo', which records its data in the same step; it cannot/,
    );
  });

  it("refuses 'api' without 'via', 'system' with 'via', and an unknown 'via'", () => {
    expect(errorsOf(doc(['        roles: [clerk]', '        api: PUT /rows/:id'])).map((e) => e.message)).toEqual([
      expect.stringContaining("add 'via: service' or remove 'api'"),
    ]);
    expect(errorsOf(doc(['        roles: [clerk, system]', '        via: service'])).map((e) => e.message)).toEqual([
      expect.stringContaining("remove 'system' from its roles or remove 'via'"),
    ]);
    expect(errorsOf(doc(['        roles: [clerk]', '        via: services'])).map((e) => `${e.path} ${e.message}`)).toEqual([expect.stringMatching(/via/)]);
  });
});
