import { ErrorCode } from '../common/app-error';
import { BusinessCalendar } from './business-calendar';
import { DeadlineReference, DeadlineSpec, describeDeadline, dueAt, nextOccurrence, parseDeadline, RecurringSpec } from './deadline-spec';
import { thrownAppError as catchAppError } from '../../test/support/app-error';

const sh = (local: string): Date => new Date(`${local}+08:00`);
const cal = new BusinessCalendar();

function spec(text: string): DeadlineSpec {
  const r = parseDeadline(text);
  if (!r.ok) throw new Error(r.error);
  return r.spec;
}
function every(text: string): RecurringSpec {
  const s = spec(text);
  if (s.kind !== 'every') throw new Error(`${text} is not recurring`);
  return s;
}
function errorOf(text: string): string {
  const r = parseDeadline(text);
  if (r.ok) throw new Error(`'${text}' parsed`);
  return r.error;
}
const noRefs = (): unknown => {
  throw new Error('no references expected');
};

describe('parseDeadline', () => {
  it.each([
    ['after: 3 working days', { kind: 'workingDays', count: 3 }],
    ['after: 1 working day', { kind: 'workingDays', count: 1 }],
    ['3 working days', { kind: 'workingDays', count: 3 }],
    ['After:  3   Working Days', { kind: 'workingDays', count: 3 }],
    ['after: 7 days', { kind: 'days', count: 7 }],
    ['after: 2 hours', { kind: 'hours', count: 2 }],
    ['after: 30 minutes', { kind: 'minutes', count: 30 }],
    ['at: end of day', { kind: 'endOfDay' }],
    ['end of day', { kind: 'endOfDay' }],
    ['after: rules.replyWithin', { kind: 'rule', name: 'replyWithin' }],
    ['at: context.pause.endsAt', { kind: 'context', path: 'pause.endsAt' }],
    ['3个工作日', { kind: 'workingDays', count: 3 }],
    ['7天', { kind: 'days', count: 7 }],
    ['2小时', { kind: 'hours', count: 2 }],
    ['30分钟', { kind: 'minutes', count: 30 }],
    ['当天', { kind: 'endOfDay' }],
    ['every day at 09:00', { kind: 'every', period: 'day', time: '09:00' }],
    ['every day at 9:00', { kind: 'every', period: 'day', time: '09:00' }],
    ['every working day at 08:30', { kind: 'every', period: 'workingDay', time: '08:30' }],
    ['every week on monday at 09:00', { kind: 'every', period: 'week', weekday: 1, time: '09:00' }],
    ['every Friday at 17:00', { kind: 'every', period: 'week', weekday: 5, time: '17:00' }],
    ['every month on day 1 at 09:00', { kind: 'every', period: 'month', day: 1, time: '09:00' }],
    ['every month on the last day at 09:00', { kind: 'every', period: 'month', day: 'last', time: '09:00' }],
    ['every month on working day 1 at 09:00', { kind: 'every', period: 'monthWorkingDay', workingDay: 1, time: '09:00' }],
    ['every 3 months on day 1 at 09:00', { kind: 'every', period: 'month', day: 1, time: '09:00', everyMonths: 3 }],
    ['every quarter on day 1 at 09:00', { kind: 'every', period: 'month', day: 1, time: '09:00', everyMonths: 3 }],
    ['every half year on day 1 at 09:00', { kind: 'every', period: 'month', day: 1, time: '09:00', everyMonths: 6 }],
    ['every 6 months on working day 2 at 09:00', { kind: 'every', period: 'monthWorkingDay', workingDay: 2, time: '09:00', everyMonths: 6 }],
    ['every 1 months on day 5 at 09:00', { kind: 'every', period: 'month', day: 5, time: '09:00' }],
  ])('reads %p', (text, expected) => {
    expect(parseDeadline(text)).toEqual({ ok: true, spec: expected });
  });

  it('explains what to write instead of an unknown phrase', () => {
    expect(errorOf('3 workdays')).toBe(
      "cannot read '3 workdays': write e.g. '3 working days', '7 days', '2 hours', '30 minutes', 'end of day', " +
        "'rules.replyWithin', 'context.pause.endsAt' or 'every day at 09:00'",
    );
    expect(errorOf('')).toMatch(/empty/);
    expect(errorOf('after: soon')).toMatch(/cannot read 'after: soon'/);
  });

  it('refuses a form under the wrong keyword and says which one', () => {
    expect(errorOf('at: 3 working days')).toBe("'at: 3 working days': write 'after: 3 working days'");
    expect(errorOf('after: end of day')).toBe("'after: end of day': write 'at: end of day'");
    expect(errorOf('after: context.pause.endsAt')).toMatch(/write 'at: context.pause.endsAt'/);
    expect(errorOf('at: every day at 09:00')).toMatch(/starts with 'every'/);
  });

  it('explains recurring mistakes', () => {
    expect(errorOf('every month on day 1')).toMatch(/needs a time/);
    expect(errorOf('every day at 25:00')).toMatch(/not a time of day/);
    expect(errorOf('every month on day 32 at 09:00')).toMatch(/1–31/);
    expect(errorOf('every week at 09:00')).toMatch(/name the weekday/);
    expect(errorOf('every fortnight at 09:00')).toMatch(/cannot read/);
  });

  it('explains malformed references', () => {
    expect(errorOf('rules.reply-within')).toMatch(/rules.<name>/);
    expect(errorOf('context.')).toMatch(/context.<field>/);
  });

  it('round-trips through describeDeadline', () => {
    for (const text of [
      'after: 3 working days',
      'after: 1 day',
      'at: end of day',
      'after: rules.replyWithin',
      'at: context.pause.endsAt',
      'every week on monday at 09:00',
      'every month on day 1 at 09:00',
      'every month on the last day at 09:00',
      'every month on working day 2 at 09:00',
      'every 3 months on day 1 at 09:00',
      'every 6 months on the last day at 09:00',
      'every working day at 09:00',
    ]) {
      expect(describeDeadline(spec(text))).toBe(text);
    }
  });
});

describe('dueAt', () => {
  const friday = sh('2026-02-13T10:00:00');

  it('working days follow the business calendar (Spring Festival 2026)', () => {
    expect(dueAt(spec('after: 3 working days'), friday, cal, noRefs)).toEqual(sh('2026-02-25T18:00:00'));
    expect(dueAt(spec('3个工作日'), friday, cal, noRefs)).toEqual(sh('2026-02-25T18:00:00'));
  });

  it('calendar days keep the local time and include holidays', () => {
    expect(dueAt(spec('after: 7 days'), friday, cal, noRefs)).toEqual(sh('2026-02-20T10:00:00'));
    // Month end: 31 Jan + 30 days = 2 Mar (2026 is not a leap year).
    expect(dueAt(spec('after: 30 days'), sh('2026-01-31T09:00:00'), cal, noRefs)).toEqual(sh('2026-03-02T09:00:00'));
  });

  it('hours and minutes are elapsed time', () => {
    expect(dueAt(spec('after: 2 hours'), friday, cal, noRefs)).toEqual(sh('2026-02-13T12:00:00'));
    expect(dueAt(spec('after: 30 minutes'), sh('2026-02-13T23:45:00'), cal, noRefs)).toEqual(sh('2026-02-14T00:15:00'));
  });

  it('end of day is 18:00 today, or at once when already past', () => {
    expect(dueAt(spec('at: end of day'), friday, cal, noRefs)).toEqual(sh('2026-02-13T18:00:00'));
    expect(dueAt(spec('at: end of day'), sh('2026-02-13T20:00:00'), cal, noRefs)).toEqual(sh('2026-02-13T20:00:00'));
  });

  it('resolves a rule to a phrase or a number of calendar days', () => {
    const seen: DeadlineReference[] = [];
    const rules: Record<string, unknown> = { replyWithin: '3 working days', collectWithin: 7, bad: '3 workdays', loop: 'rules.replyWithin' };
    const resolve = (ref: DeadlineReference): unknown => {
      seen.push(ref);
      return ref.kind === 'rule' ? rules[ref.name] : undefined;
    };
    expect(dueAt(spec('after: rules.replyWithin'), friday, cal, resolve)).toEqual(sh('2026-02-25T18:00:00'));
    expect(seen).toEqual([{ kind: 'rule', name: 'replyWithin' }]);
    expect(dueAt(spec('after: rules.collectWithin'), friday, cal, resolve)).toEqual(sh('2026-02-20T10:00:00'));

    const bad = catchAppError(() => dueAt(spec('after: rules.bad'), friday, cal, resolve));
    expect(bad.code).toBe(ErrorCode.DefinitionInvalid);
    expect(bad.message).toMatch(/rule 'bad': cannot read '3 workdays'/);
    expect(catchAppError(() => dueAt(spec('after: rules.loop'), friday, cal, resolve)).message).toMatch(/not another reference/);
    expect(catchAppError(() => dueAt(spec('after: rules.missing'), friday, cal, resolve)).message).toMatch(/not defined/);
  });

  it('resolves a context path to an instant or a local date', () => {
    const ctx: Record<string, unknown> = {
      'pause.endsAt': '2026-10-08T09:00:00+08:00',
      'pause.endDate': '2026-10-08',
      'pause.naive': '2026-10-08T09:00:00',
    };
    const resolve = (ref: DeadlineReference): unknown => (ref.kind === 'context' ? ctx[ref.path] : undefined);
    expect(dueAt(spec('at: context.pause.endsAt'), friday, cal, resolve)).toEqual(sh('2026-10-08T09:00:00'));
    // A date without a time is the end of that day (the calendar's endOfDay, 18:00), not 00:00.
    expect(dueAt(spec('at: context.pause.endDate'), friday, cal, resolve)).toEqual(sh('2026-10-08T18:00:00'));
    const naive = catchAppError(() => dueAt(spec('at: context.pause.naive'), friday, cal, resolve));
    expect(naive.code).toBe(ErrorCode.ExpressionFailed);
    expect(catchAppError(() => dueAt(spec('at: context.pause.missing'), friday, cal, resolve)).message).toMatch(/the value is empty/);
  });

  it('reads a date-only context value as the end of that day in the calendar (its zone and endOfDay)', () => {
    const works = { 'works.endDate': '2026-03-10' };
    const resolve = (ref: DeadlineReference): unknown => (ref.kind === 'context' ? works[ref.path as keyof typeof works] : undefined);
    const at = spec('at: context.works.endDate');
    expect(dueAt(at, friday, cal, resolve)).toEqual(sh('2026-03-10T18:00:00'));
    expect(dueAt(at, friday, new BusinessCalendar({ endOfDay: '17:30' }), resolve)).toEqual(sh('2026-03-10T17:30:00'));
    expect(dueAt(at, friday, new BusinessCalendar({ timeZone: 'UTC' }), resolve)).toEqual(new Date('2026-03-10T18:00:00Z'));
    // Set after that moment, it stays at the end of the date written (due at once), never moved to another day.
    expect(dueAt(at, sh('2026-03-10T20:00:00'), cal, resolve)).toEqual(sh('2026-03-10T18:00:00'));
  });

  it('gives the next occurrence for a recurring spec', () => {
    expect(dueAt(spec('every day at 09:00'), friday, cal, noRefs)).toEqual(sh('2026-02-14T09:00:00'));
  });
});

describe('nextOccurrence', () => {
  it('every day: strictly after the moment', () => {
    const daily = every('every day at 09:00');
    expect(nextOccurrence(daily, sh('2026-02-13T08:59:00'), cal)).toEqual(sh('2026-02-13T09:00:00'));
    expect(nextOccurrence(daily, sh('2026-02-13T09:00:00'), cal)).toEqual(sh('2026-02-14T09:00:00'));
    expect(nextOccurrence(daily, sh('2026-12-31T10:00:00'), cal)).toEqual(sh('2027-01-01T09:00:00'));
  });

  it('every working day skips 国庆 and includes the working Saturday 10 Oct', () => {
    const wd = every('every working day at 09:00');
    expect(nextOccurrence(wd, sh('2026-09-30T10:00:00'), cal)).toEqual(sh('2026-10-08T09:00:00'));
    expect(nextOccurrence(wd, sh('2026-10-09T10:00:00'), cal)).toEqual(sh('2026-10-10T09:00:00'));
    expect(nextOccurrence(wd, sh('2026-10-10T10:00:00'), cal)).toEqual(sh('2026-10-12T09:00:00'));
  });

  it('every week on monday', () => {
    const weekly = every('every week on monday at 09:00');
    expect(nextOccurrence(weekly, sh('2026-02-13T10:00:00'), cal)).toEqual(sh('2026-02-16T09:00:00'));
    expect(nextOccurrence(weekly, sh('2026-02-16T08:00:00'), cal)).toEqual(sh('2026-02-16T09:00:00'));
    expect(nextOccurrence(weekly, sh('2026-02-16T09:00:00'), cal)).toEqual(sh('2026-02-23T09:00:00'));
  });

  it('every month on day 1, on a holiday too (1 Oct), and across the year end', () => {
    const monthly = every('every month on day 1 at 09:00');
    expect(nextOccurrence(monthly, sh('2026-09-15T10:00:00'), cal)).toEqual(sh('2026-10-01T09:00:00'));
    expect(nextOccurrence(monthly, sh('2026-10-01T09:00:00'), cal)).toEqual(sh('2026-11-01T09:00:00'));
    expect(nextOccurrence(monthly, sh('2026-12-31T23:00:00'), cal)).toEqual(sh('2027-01-01T09:00:00'));
  });

  it('every quarter and every half year: months counted from January (001 每季度, 000/003 每半年)', () => {
    const quarterly = every('every quarter on day 1 at 09:00');
    expect(nextOccurrence(quarterly, sh('2026-03-20T10:00:00'), cal)).toEqual(sh('2026-04-01T09:00:00'));
    expect(nextOccurrence(quarterly, sh('2026-04-01T09:00:00'), cal)).toEqual(sh('2026-07-01T09:00:00'));
    expect(nextOccurrence(quarterly, sh('2026-11-02T09:00:00'), cal)).toEqual(sh('2027-01-01T09:00:00'));
    const halfYearly = every('every half year on day 1 at 09:00');
    expect(nextOccurrence(halfYearly, sh('2026-01-05T10:00:00'), cal)).toEqual(sh('2026-07-01T09:00:00'));
    expect(nextOccurrence(halfYearly, sh('2026-07-01T09:00:00'), cal)).toEqual(sh('2027-01-01T09:00:00'));
    expect(nextOccurrence(every('every 6 months on working day 1 at 09:00'), sh('2026-09-01T10:00:00'), cal)).toEqual(sh('2027-01-04T09:00:00'));
    expect(errorOf('every 5 months on day 1 at 09:00')).toMatch(/N = 1, 2, 3, 4, 6 or 12/);
  });

  it('month ends: day 31 falls on the last day of shorter months', () => {
    const d31 = every('every month on day 31 at 09:00');
    expect(nextOccurrence(d31, sh('2026-02-01T00:00:00'), cal)).toEqual(sh('2026-02-28T09:00:00'));
    expect(nextOccurrence(d31, sh('2026-04-30T10:00:00'), cal)).toEqual(sh('2026-05-31T09:00:00'));
    expect(nextOccurrence(every('every month on day 30 at 09:00'), sh('2028-02-01T00:00:00'), cal)).toEqual(sh('2028-02-29T09:00:00'));
    expect(nextOccurrence(every('every month on the last day at 18:00'), sh('2026-09-30T18:00:00'), cal)).toEqual(sh('2026-10-31T18:00:00'));
  });

  it('every month on working day 1 waits for the end of 国庆', () => {
    const first = every('every month on working day 1 at 09:00');
    expect(nextOccurrence(first, sh('2026-09-15T10:00:00'), cal)).toEqual(sh('2026-10-08T09:00:00'));
    // February 2026: the 2nd is a Monday.
    expect(nextOccurrence(first, sh('2026-01-31T10:00:00'), cal)).toEqual(sh('2026-02-02T09:00:00'));
    // January 2027 has no official data: the statutory rule makes Fri 1 Jan 元旦, so Mon 4 Jan.
    expect(nextOccurrence(first, sh('2026-12-15T10:00:00'), cal)).toEqual(sh('2027-01-04T09:00:00'));
  });

  it('uses the calendar time zone', () => {
    const utc = new BusinessCalendar({ timeZone: 'UTC' });
    expect(nextOccurrence(every('every day at 09:00'), new Date('2026-02-13T10:00:00Z'), utc)).toEqual(new Date('2026-02-14T09:00:00Z'));
    expect(nextOccurrence(every('every day at 09:00'), new Date('2026-02-13T10:00:00Z'), cal)).toEqual(sh('2026-02-14T09:00:00'));
  });
});
