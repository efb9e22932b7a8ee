import { join } from 'node:path';
import { loadDefinitionFile } from '../definitions/definition-loader';
import { stepBar } from './case-extras';

const loaded = loadDefinitionFile(join(__dirname, '../../definitions/complaint.yaml'));
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const def = loaded.definition;

describe('the step bar', () => {
  it('lists the top-level states in definition order; a nested current state highlights its top-level state', () => {
    const bar = stepBar(def, { state: 'inProgress' }, [{ toState: 'registered' }, { toState: 'classified' }, { toState: 'inProgress' }]);
    expect(bar.map((s) => s.title)).toEqual(
      ['registered', 'classified', 'handling', 'returnVisit', 'closed', 'archived', 'invalid'].map((n) => def.states[n].title ?? n),
    );
    expect(bar.map((s) => [s.no, s.status])).toEqual([
      [1, 'done'],
      [2, 'done'],
      [3, 'current'],
      [4, 'todo'],
      [5, 'todo'],
      [6, 'todo'],
      [7, 'todo'],
    ]);
    expect(bar[2].title).toBe('部门处理中');
  });
});
