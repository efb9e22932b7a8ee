/**
 * The complaint domain functions a definition can call with `compute:`.
 */
import { AppError, ErrorCode } from '../../common/app-error';
import type { DomainFunction } from '../domain-functions';
import { complaintRecordFromStored } from './complaint-record';
import { monthlyComplaintReport } from './monthly-report';

/**
 * `complaint.monthlyReport` with `{ month: 'YYYY-MM', definition?: 'complaint' }`: the monthly
 * figures recomputed from every stored complaint (never from counters).
 */
export const complaintMonthlyReport: DomainFunction = async ({ args, store, calendar, now }) => {
  const month = String(args.month ?? '');
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
    throw new AppError(ErrorCode.ExpressionFailed, `complaint.monthlyReport needs 'month' as YYYY-MM, got '${month}'`);
  }
  const definition = typeof args.definition === 'string' && args.definition ? args.definition : 'complaint';
  const records = (await store.instancesOf(definition)).map((instance) => complaintRecordFromStored({ instance }));
  return monthlyComplaintReport({ month, records, calendar, now });
};
