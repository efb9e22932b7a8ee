/**
 * Every domain function available to `compute:` in definitions, by name.
 */
import { DomainFunctionRegistry } from './domain-functions';

export function createDomainFunctions(): DomainFunctionRegistry {
  return new DomainFunctionRegistry({});
}
