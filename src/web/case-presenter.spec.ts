import { BusinessCalendar } from '../calendar/business-calendar';
import { ManualClock } from '../common/clock';
import type { ProcessDefinition } from '../definitions/definition.types';
import type { Engine } from '../engine/engine';
import { CasePresenter } from './case-presenter';

// Only the calendar and the clock are used by the parts tested here.
const clock = new ManualClock(new Date('2026-09-29T02:00:00Z'));
const presenter = new CasePresenter({ calendar: new BusinessCalendar(), clock } as unknown as Engine);

const def = {
  rules: { replyWithin: { title: '回单时限' } },
  ruleValues: { replyWithin: '3 working days' },
  states: { handling: { deadlines: [{ name: 'handling#0', spec: { kind: 'rule', name: 'replyWithin' } }] } },
} as unknown as ProcessDefinition;

describe('the case presenter', () => {
  it('explains a deadline: the rule, from when, and the National Day holidays and adjusted working days in between', () => {
    const why = presenter.why(def, { state: 'handling', deadline: 'handling#0', createdAt: '2026-09-29T02:00:00Z', dueAt: '2026-10-12T10:00:00Z' });
    expect(why).toContain('规则「回单时限」：3 个工作日');
    expect(why).toContain('自 2026年9月29日 10:00 起');
    expect(why).toContain('10-01 国庆节');
    expect(why).toMatch(/调休上班/);
  });

  it('colours a deadline by the working days left: green, yellow within one, red when passed', () => {
    expect(presenter.badge('2026-10-12T10:00:00Z', false)).toMatchObject({ tone: 'green' });
    expect(presenter.badge('2026-09-30T10:00:00Z', false)).toMatchObject({ tone: 'yellow', label: '剩 1 个工作日' });
    expect(presenter.badge('2026-09-29T01:00:00Z', true)).toMatchObject({ tone: 'red', provisional: true });
  });

  it("turns yellow at the process owner's threshold (dueSoon), not the fixed one working day", () => {
    // 2026-09-29 10:00 local; 10-08 is the 2nd working day after it (National Day holidays between).
    expect(presenter.badge('2026-10-08T10:00:00Z', false)).toMatchObject({ tone: 'green' });
    expect(presenter.badge('2026-10-08T10:00:00Z', false, 2)).toMatchObject({ tone: 'yellow', label: '剩 2 个工作日' });
    expect(presenter.badge('2026-09-30T10:00:00Z', false, 0)).toMatchObject({ tone: 'green', label: '剩 1 个工作日' });
    expect(presenter.badge('2026-09-29T09:00:00Z', false, 0)).toMatchObject({ tone: 'yellow', label: '今天到期' });
  });

  it('shows a suspended deadline grey, 已暂停 with the title of the state the case waits in, whatever its due time', () => {
    const held = { ...def, states: { ...def.states, held: { name: 'held', title: '暂停中（等待业主补充材料）' } } } as unknown as ProcessDefinition;
    const badge = presenter.pausedBadge(held, 'held', '2026-09-28T10:00:00Z', false);
    expect(badge).toMatchObject({ tone: 'grey', label: '已暂停', paused: '暂停中（等待业主补充材料）' });
    expect(badge.explain).toContain('暂停中（等待业主补充材料）');
  });

  it('picks the badge of a case: a paused deadline wins over none, a pending one over a paused one', () => {
    const held = { ...def, states: { ...def.states, held: { name: 'held', title: '暂停中' } } } as unknown as ProcessDefinition;
    const suspended = { status: 'suspended', dueAt: '2026-09-28T10:00:00Z', provisional: false };
    const pending = { status: 'pending', dueAt: '2026-10-12T10:00:00Z', provisional: false };
    expect(presenter.caseBadge(held, 'held', [suspended])).toMatchObject({ tone: 'grey', label: '已暂停' });
    expect(presenter.caseBadge(held, 'held', [suspended, pending])).toMatchObject({ tone: 'green' });
    expect(presenter.caseBadge({ ...held, dueSoonWorkingDays: 30 }, 'held', [pending])).toMatchObject({ tone: 'yellow' });
    expect(presenter.caseBadge(held, 'held', [{ ...pending, status: 'fired' }])).toBeUndefined();
  });
});
