/**
 * The registry of domain functions a definition can call with `compute:` (see
 * definitions/README.md). A process owner wires them by name; a developer writes them as
 * plain functions over stored data. Each receives the instance the event is for, its
 * evaluated arguments, the engine's clock and calendar, and a read-only view of stored
 * instances; it returns plain JSON, which the engine puts into the event's payload (and so
 * into the audit entry, where the figures can be checked later).
 */
import type { BusinessCalendar } from '../scheduler/business-calendar';

export interface StoredInstance {
  readonly id: string;
  readonly definition: string;
  readonly businessKey: string;
  readonly state: string;
  readonly status: string;
  readonly context: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly trail: readonly {
    readonly seq: number;
    readonly eventType: string;
    readonly at: string;
    readonly actor: string;
    readonly fromState: string | null;
    readonly toState: string;
    readonly payload: unknown;
  }[];
  readonly timers: readonly { readonly eventType: string; readonly dueAt: string; readonly status: string; readonly firedAt: string | null }[];
}

/** Read-only access to stored instances for domain functions. */
export interface DomainStore {
  /** Every instance of a definition (any version), with its audit trail and timers. */
  instancesOf(definition: string): Promise<readonly StoredInstance[]>;
}

export interface DomainFunctionInput {
  readonly instance: { readonly id: string; readonly definition: string; readonly businessKey: string; readonly context: Record<string, unknown> };
  readonly args: Readonly<Record<string, unknown>>;
  readonly now: Date;
  readonly calendar: BusinessCalendar;
  readonly store: DomainStore;
}

export type DomainFunction = (input: DomainFunctionInput) => Promise<unknown>;

export class DomainFunctionRegistry {
  private readonly functions: ReadonlyMap<string, DomainFunction>;

  constructor(functions: Readonly<Record<string, DomainFunction>>) {
    this.functions = new Map(Object.entries(functions));
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  names(): string[] {
    return [...this.functions.keys()].sort();
  }

  get(name: string): DomainFunction | undefined {
    return this.functions.get(name);
  }
}
