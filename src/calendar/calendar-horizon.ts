/**
 * The warning that official holiday data is about to end (or has ended), for the staff who
 * import the State Council's notice. Pure: the calendar and the moment are passed in.
 */
import type { BusinessCalendar } from './business-calendar';
import { parseLocalDate } from './zoned-time.util';

export interface CalendarWarning {
  /** Last date with official data, YYYY-MM-DD (31 December of the newest covered year). */
  readonly officialThrough: string | null;
  /** The first year without official data. */
  readonly year: number;
  /** Days from today to the end of official data (negative once it has passed). */
  readonly daysLeft: number;
  /** For staff, in Chinese: which year, what happens meanwhile, what to do. */
  readonly message: string;
}

const DAY_MS = 86_400_000;

const dateCn = (date: string): string => {
  const { year, month, day } = parseLocalDate(date);
  return `${year}年${month}月${day}日`;
};

/**
 * A warning from `warnDays` days before the last date of official data, and every day after
 * it; undefined while official data reaches further. A calendar with no official data at all
 * warns for the current year.
 */
export function calendarWarning({ calendar, now, warnDays }: { calendar: BusinessCalendar; now: Date; warnDays: number }): CalendarWarning | undefined {
  const today = calendar.localDate(now);
  const thisYear = parseLocalDate(today).year;
  const through = calendar.officialThrough();
  // The first year from this one on without official data.
  let year = thisYear;
  while (calendar.hasDataFor(year)) year++;
  const end = calendar.hasDataFor(thisYear) ? `${year - 1}-12-31` : undefined;
  const daysLeft = end ? Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS) : -1;
  if (end && daysLeft > warnDays) return undefined;
  const todo = `请在国务院办公厅发布《关于${year}年部分节假日安排的通知》后，将通知全文保存为文本文件，运行 “wf calendar import 文件名” 导入，再运行 “wf calendar reload”（或由管理员在系统中重新加载日历），已有期限将自动重算。`;
  const meanwhile = `在此之前，${year}年的工作日按法定节假日暂定计算（不含调休），据此计算的期限标注为“暂定”。`;
  const message = end
    ? `业务日历的官方节假日数据截至${dateCn(end)}（还剩 ${daysLeft} 天），${year}年的放假安排尚未导入。${meanwhile}${todo}`
    : `业务日历没有${year}年的官方节假日数据。${meanwhile}${todo}`;
  return { officialThrough: through ?? null, year, daysLeft, message };
}
