/**
 * The provisional working-day rule for a year without official data (no State Council notice
 * imported yet): the public holidays the law itself fixes, with its make-up days.
 *
 * 《全国年节及纪念日放假办法》 as revised in 2024, article 2 (holidays for all citizens):
 * 元旦 1 day (1 January); 春节 4 days (除夕 to 正月初三); 清明节 1 day (the 清明 solar term);
 * 劳动节 2 days (1–2 May); 端午节 1 day (五月初五); 中秋节 1 day (八月十五); 国庆节 3 days
 * (1–3 October). Article 6: a holiday for all citizens that falls on a Saturday or Sunday is
 * made up on working days (补假): for each run of consecutive holidays, as many of the next
 * Monday–Friday days after the run as it had weekend days are off too.
 *
 * Adjusted working weekends (调休) exist only by notice, so the provisional rule has none.
 * Lunar dates and the 清明 term come from `tyme4ts` (pure astronomy, independent of the
 * process's time zone — chinese-days' lunar functions shift by a day west of UTC).
 */
import { LunarDay, SolarDay, SolarTerm } from 'tyme4ts';
import { addLocalDays, formatDate, weekdayOf } from './zoned-time.util';

/** A day off under the statutory rule. `makeUp` marks a 补假 day. */
export interface StatutoryDay {
  readonly date: string;
  readonly title: string;
  readonly makeUp: boolean;
}

const isWeekend = (date: string): boolean => {
  const d = weekdayOf(date);
  return d === 0 || d === 6;
};

const solarText = (d: SolarDay): string => formatDate(d.getYear(), d.getMonth(), d.getDay());

/** The statutory holidays of a year (Gregorian), with their make-up days, in date order. */
export function statutoryHolidays(year: number): StatutoryDay[] {
  const newYear = solarText(LunarDay.fromYmd(year, 1, 1).getSolarDay());
  const fixed: { date: string; title: string }[] = [
    { date: formatDate(year, 1, 1), title: '元旦' },
    ...[-1, 0, 1, 2].map((n) => ({ date: addLocalDays(newYear, n), title: '春节' })),
    { date: solarText(SolarTerm.fromName(year, '清明').getJulianDay().getSolarDay()), title: '清明节' },
    { date: formatDate(year, 5, 1), title: '劳动节' },
    { date: formatDate(year, 5, 2), title: '劳动节' },
    { date: solarText(LunarDay.fromYmd(year, 5, 5).getSolarDay()), title: '端午节' },
    ...[1, 2, 3].map((day) => ({ date: formatDate(year, 10, day), title: '国庆节' })),
    { date: solarText(LunarDay.fromYmd(year, 8, 15).getSolarDay()), title: '中秋节' },
  ];
  const off = new Map<string, StatutoryDay>();
  for (const d of fixed) {
    const same = off.get(d.date); // e.g. 中秋节 on 3 October: one day off, both names
    off.set(d.date, { date: d.date, title: same && same.title !== d.title ? `${same.title}、${d.title}` : d.title, makeUp: false });
  }

  // Runs of consecutive holidays, each made up after its end for its weekend days.
  const dates = [...off.keys()].sort();
  for (let i = 0; i < dates.length;) {
    let j = i;
    while (j + 1 < dates.length && addLocalDays(dates[j], 1) === dates[j + 1]) j++;
    const run = dates.slice(i, j + 1);
    let owed = run.filter(isWeekend).length;
    const title = `${off.get(run[run.length - 1])!.title}补假`;
    for (let d = addLocalDays(run[run.length - 1], 1); owed > 0; d = addLocalDays(d, 1)) {
      if (isWeekend(d) || off.has(d)) continue;
      off.set(d, { date: d, title, makeUp: true });
      owed--;
    }
    i = j + 1;
  }
  return [...off.values()].sort((a, b) => a.date.localeCompare(b.date));
}
