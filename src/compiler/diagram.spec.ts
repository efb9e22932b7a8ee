import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefinition } from '../definitions/definition-loader';
import { toMermaid } from './diagram';

describe('toMermaid', () => {
  const result = loadDefinition(readFileSync(join(__dirname, '../../definitions/complaint.yaml'), 'utf8'), { file: 'c.yaml' });
  if (!result.ok) throw new Error('complaint.yaml should load');
  const lines = toMermaid(result.definition).split('\n');

  it('draws a stateDiagram-v2 with initial and final markers', () => {
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines[1]).toBe('  [*] --> registered');
    expect(lines).toContain('  archived --> [*]');
    expect(lines).toContain('  invalid --> [*]');
  });

  it('nests compound states with their own initial state', () => {
    const open = lines.indexOf('  state handling {');
    const close = lines.indexOf('  }', open);
    expect(open).toBeGreaterThan(0);
    expect(lines.slice(open, close)).toEqual(expect.arrayContaining(['    [*] --> inProgress', '    state "长期问题，待向顾客解释" as longTermPending']));
  });

  it('labels each event once per target, with its title', () => {
    expect(lines).toContain('  registered --> invalid : classify (分类（有效/无效）)');
    expect(lines).toContain('  registered --> classified : classify (分类（有效/无效）)');
    expect(lines).toContain('  returnVisit --> handling : recordReturnVisit (回访)');
    expect(lines.filter((l) => l.startsWith('  classified --> handling'))).toHaveLength(1);
  });
});
