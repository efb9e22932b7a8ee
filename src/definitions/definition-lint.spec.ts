import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefinition, loadDefinitionFile } from './definition-loader';

const FIXTURES = join(__dirname, '../../test/fixtures/definitions');

describe('lintDefinition', () => {
  it('reports each rule on the fixture, at the state or event it concerns', () => {
    const result = loadDefinitionFile(join(FIXTURES, 'lint-problems.yaml'), { file: 'lint-problems.yaml' });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.findings.map((f) => `${f.line}:${f.column} [${f.rule}] ${f.message}`)).toEqual([
      "15:7 [unsendable-event] no role may send 'poke' in 'open': its 'roles' list is empty",
      "18:3 [unreachable-state] no event leads to the state 'stuck' from the initial state 'open'",
      "18:3 [dead-end-state] 'stuck' is not final, but no event leads out of it: add an event with a target, or mark it 'type: final'",
    ]);
  });

  it('counts events of ancestor states and initial children of compound states', () => {
    const text = `
key: nested
title: 嵌套
roles: { clerk: {} }
start: { roles: [clerk] }
initial: outer
states:
  outer:
    initial: first
    on:
      leave: { roles: [clerk], target: end }
    states:
      first:
        on:
          next: { roles: [clerk], target: second }
      second: {}
  end: { type: final }
`;
    const result = loadDefinition(text, { file: 'nested.yaml' });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.findings).toEqual([]);
  });

  it('finds nothing in the bundled complaint definition', () => {
    const result = loadDefinition(readFileSync(join(__dirname, '../../definitions/complaint.yaml'), 'utf8'), { file: 'c.yaml' });
    expect(result.ok && result.findings).toEqual([]);
  });
});
