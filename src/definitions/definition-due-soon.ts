/**
 * `dueSoon:` at the top level of a definition: how many working days before a deadline its
 * badge on the pages turns yellow (即将超时), e.g. `dueSoon: 2 working days` (`2个工作日`).
 * Without it the pages use one working day. Only working days: the badges count in them.
 */
import type { BuildContext, Raw } from './definition-build-context';

/** The largest threshold accepted (a month and a half of working days). */
export const MAX_DUE_SOON_WORKING_DAYS = 30;

const PHRASE = /^\s*(\d{1,3})\s*(?:working\s+days?|个工作日)\s*$/;

export function buildDueSoon(ctx: BuildContext, raw: Raw): number | undefined {
  if (raw.dueSoon === undefined) return undefined;
  const m = typeof raw.dueSoon === 'string' ? PHRASE.exec(raw.dueSoon) : null;
  const n = m ? Number(m[1]) : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= MAX_DUE_SOON_WORKING_DAYS) return n;
  ctx.report(
    ['dueSoon'],
    `cannot read 'dueSoon: ${String(raw.dueSoon)}': write a whole number of working days from 0 to ${MAX_DUE_SOON_WORKING_DAYS}, e.g. 'dueSoon: 2 working days' (0: yellow only on the day it falls due)`,
    'value',
  );
  return undefined;
}
