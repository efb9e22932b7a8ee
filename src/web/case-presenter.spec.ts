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
});
