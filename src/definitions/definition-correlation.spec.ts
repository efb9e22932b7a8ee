/**
 * `correlation:` and `emit … where:` as the loader reads them: declared keys, every bad
 * declaration and every emit that would find cases by a business-key prefix refused at its
 * line and column, and the cross-process check naming what the receiving file must declare.
 */
import { acceptanceProblem, crossProcessActions } from './definition-acceptance';
import { correlationValues } from './definition-correlation';
import { loadDefinition } from './definition-loader';
import type { DefinitionProblem, ProcessDefinition } from './definition.types';

/** A small definition with `correlation` (line 15) and one emit action in `open` (line 20). */
function doc(correlation: string, emit: string): string {
  return [
    'key: sample', //                                  1
    'title: 示例', //                                   2
    'roles:', //                                        3
    '  clerk: { title: 文员 }', //                      4
    'start:', //                                        5
    '  roles: [clerk]', //                              6
    'context:', //                                      7
    '  type: object', //                                8
    '  properties:', //                                 9
    '    project: { type: string }', //                 10
    '    count: { type: integer }', //                  11
    '    tags: { type: array }', //                     12
    '    ping: { type: boolean }', //                   13
    '# who finds this case', //                         14
    correlation, //                                     15
    'initial: open', //                                 16
    'states:', //                                       17
    '  open:', //                                       18
    '    on:', //                                       19
    `      go: { roles: [clerk], actions: [{ emit: ${emit} }] }`, // 20
    '      ping: { from: [sample], assign: { ping: true } }', // 21
  ].join('\n');
}

const at = (errors: readonly DefinitionProblem[]) => errors.map((e) => `${e.line}:${e.column} ${e.message}`);
const load = (text: string) => loadDefinition(text, { file: 'x.yaml' });
function errorsOf(text: string): string[] {
  const result = load(text);
  if (result.ok) throw new Error('expected the definition to be refused');
  return at(result.errors);
}
function definitionOf(text: string): ProcessDefinition {
  const result = load(text);
  if (!result.ok) throw new Error(at(result.errors).join('\n'));
  return result.definition;
}

describe('correlation keys', () => {
  it('reads the declared keys and the correlation values of a context, exactly as data', () => {
    const def = definitionOf(doc('correlation: [project, count]', '{ event: ping, where: { project: =context.project } }'));
    expect(def.correlation).toEqual(['project', 'count']);
    expect(correlationValues(def, { project: '翠湖', count: 12, tags: [] })).toEqual({ project: '"翠湖"', count: '12' });
    expect(correlationValues(def, { project: '12' })).toEqual({ project: '"12"' });
    expect(correlationValues(def, { project: null })).toEqual({});
  });

  it('refuses a key that is no context field, or holds a list or map, at its line and column', () => {
    expect(errorsOf(doc('correlation: [projct]', '{ event: ping, to: =context.project }'))).toEqual([
      "15:15 the correlation key 'projct' is not a field of the context: a correlation key names a top-level field declared under context.properties; known fields: 'project', 'count', 'tags', 'ping'. Did you mean 'project'?",
    ]);
    expect(errorsOf(doc('correlation: [project, tags]', '{ event: ping, to: =context.project }'))).toEqual([
      "15:24 the correlation key 'tags' is declared as array, but a correlation key holds one value (text, number or true/false) that other cases match exactly; name a field of that kind, e.g. project",
    ]);
    expect(errorsOf(doc('correlation: project', '{ event: ping, to: =context.project }'))[0]).toMatch(/^15:14 /);
    expect(errorsOf(doc('correlation: [project, project]', '{ event: ping, to: =context.project }'))[0]).toMatch(/^15:14 /);
  });

  it('refuses an emit that would find cases by a business-key prefix, or has neither or both of to and where', () => {
    expect(errorsOf(doc('correlation: [project]', `{ event: ping, to: '="SR-" + context.project + "-*"' }`))).toEqual([
      expect.stringMatching(/^20:66 'to' gives one business key, matched exactly: a key ending in '\*' does not reach the cases whose keys start the same/),
    ]);
    expect(errorsOf(doc('correlation: [project]', '{ event: ping }'))).toEqual([expect.stringMatching(/^20:41 an emit action needs 'to' .* or 'where'/)]);
    expect(errorsOf(doc('correlation: [project]', '{ event: ping, to: =context.project, where: { project: =context.project } }'))).toEqual([
      "20:84 an emit action has either 'to' (one business key, or parent) or 'where' (correlation values), not both",
    ]);
  });

  it('refuses a where on keys this process does not declare, when it emits to itself', () => {
    expect(errorsOf(doc('correlation: [count]', '{ event: ping, where: { project: =context.project } }'))).toEqual([
      "20:62 the emit action finds cases of this process by 'project', which are not declared under 'correlation:' (declared: 'count'); add them to 'correlation:' at the top level, or name the other process in 'definition'",
    ]);
  });

  it("names what the receiving file must declare when another process's where uses keys it lacks", () => {
    const sender = definitionOf(
      doc('correlation: [project]', '{ event: ping, definition: board, where: { project: =context.project } }').replace('from: [sample]', 'roles: [clerk]'),
    );
    const board = definitionOf(
      doc('correlation: [count]', '{ event: ping, to: =context.project }').replace('key: sample', 'key: board').replace('from: [sample]', 'from: [board]'),
    );
    const [action] = crossProcessActions(sender);
    expect(action).toMatchObject({ kind: 'emit', target: 'board', where: ['project'], position: expect.objectContaining({ line: 20 }) });
    expect(acceptanceProblem(action, board, 'sample')?.message).toBe(
      "the emit action finds 'board' cases by 'where', but 'board' does not declare 'project' as correlation keys (it declares 'count'): x.yaml would have to list project under 'correlation:' at the top level",
    );
  });
});
