/**
 * Every domain function available to `compute:` in definitions, by name.
 */
import { complaintMonthlyReport } from './complaint/complaint-functions';
import { DomainFunctionRegistry } from './domain-functions';

export function createDomainFunctions(): DomainFunctionRegistry {
  return new DomainFunctionRegistry({
    'complaint.monthlyReport': complaintMonthlyReport,
  });
}
