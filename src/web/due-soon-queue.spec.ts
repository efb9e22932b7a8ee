import type { ProcessDefinition } from '../definitions/definition.types';
import { dueSoonOrLate, supervisesAny, supervisesStep } from './due-soon-queue';

const def = {
  assignment: { reassignBy: ['cs_supervisor'] },
  states: { handling: { name: 'handling' }, repair: { name: 'repair', assignment: { reassignBy: ['eng_supervisor'] } } },
} as unknown as ProcessDefinition;
const actor = (...roles: string[]) => ({ id: 'u', roles });

describe('the 即将超时 queue: who supervises what, and which badges belong in it', () => {
  it("takes the state's reassignBy over the definition's, and lets admin see every step", () => {
    expect(supervisesStep(def, 'handling', actor('cs_supervisor'))).toBe(true);
    expect(supervisesStep(def, 'repair', actor('cs_supervisor'))).toBe(false);
    expect(supervisesStep(def, 'repair', actor('eng_supervisor'))).toBe(true);
    expect(supervisesStep(def, 'handling', actor('admin'))).toBe(true);
    expect(supervisesStep(def, 'handling', actor('clerk'))).toBe(false);
  });

  it('shows the section to a role named in any reassignBy of the process, or admin, and to nobody else', () => {
    expect(supervisesAny(def, actor('eng_supervisor'))).toBe(true);
    expect(supervisesAny(def, actor('admin'))).toBe(true);
    expect(supervisesAny(def, actor('clerk', 'auditor'))).toBe(false);
    expect(supervisesAny({ states: {} } as unknown as ProcessDefinition, actor('cs_supervisor'))).toBe(false);
  });

  it('keeps yellow (due soon) and red (overdue) badges, not green, grey (paused) or none', () => {
    const b = (tone: 'green' | 'yellow' | 'red' | 'grey') => ({ tone, label: '', provisional: false, explain: '', dueAt: '' });
    expect([b('yellow'), b('red'), b('green'), b('grey'), undefined].map(dueSoonOrLate)).toEqual([true, true, false, false, false]);
  });
});
