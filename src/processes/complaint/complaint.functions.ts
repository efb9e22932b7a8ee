/**
 * The complaint domain functions a definition can call with `compute:`.
 */
import { AppError, ErrorCode } from '../../common/app-error';
import { complaintRecordFromStored } from '../../domain/complaint/complaint-record';
import { monthlyComplaintReport } from '../../domain/complaint/monthly-report';
import type { DomainFunction } from '../../engine/domain-functions';

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

export const COMPLAINT_FUNCTIONS: Readonly<Record<string, DomainFunction>> = {
  'complaint.monthlyReport': complaintMonthlyReport,
};
