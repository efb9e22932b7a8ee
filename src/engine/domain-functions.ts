/**
 * The engine's port for domain functions: what a definition can call with `compute:` and
 * `apply:` (see definitions/README.md). A process owner wires them by name; a developer writes
 * them in `src/processes/` over the pure calculations of `src/domain/`. The engine does not
 * know them: whoever opens the engine hands it the registry (`openEngine(config,
 * { functions })`, built by `createProcessFunctions` in `src/processes/index.ts`), so the
 * engine never imports the code that calls it back. Each function receives the instance the event is for, its
 * evaluated arguments, the engine's clock and calendar, and a read-only view of stored
 * instances; it returns plain JSON, which the engine puts into the event's payload (and so
 * into the audit entry, where the figures can be checked later).
 */
import type { SqlExecutor } from '../persistence/database';
import type { BusinessCalendar } from '../calendar/business-calendar';

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
  readonly timers: readonly {
    readonly eventType: string;
    readonly dueAt: string;
    readonly status: string;
    readonly firedAt: string | null;
    readonly provisional?: boolean;
  }[];
}

/** Read-only access to stored instances for domain functions. */
export interface DomainStore {
  /** Every instance of a definition (any version), or only `filter.id` / those with `filter.status`, with its audit trail and timers. */
  instancesOf(definition: string, filter?: { id?: string; status?: string }): Promise<readonly StoredInstance[]>;
  /** A read-only SQL query (`$1, $2, …` placeholders) for a domain's own tables. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface DomainFunctionInput {
  readonly instance: { readonly id: string; readonly definition: string; readonly businessKey: string; readonly context: Record<string, unknown> };
  readonly args: Readonly<Record<string, unknown>>;
  readonly now: Date;
  readonly calendar: BusinessCalendar;
  readonly store: DomainStore;
}

export type DomainFunction = (input: DomainFunctionInput) => Promise<unknown>;

/**
 * A domain writer, run by the `apply:` action inside the transition's own transaction (after
 * the instance row was compare-and-set and the audit entry written): its rows commit with the
 * transition or not at all. Throwing an AppError refuses the whole transition.
 */
export type DomainWriter = (input: {
  readonly tx: SqlExecutor;
  readonly instance: DomainFunctionInput['instance'];
  readonly args: Readonly<Record<string, unknown>>;
  /** The audit entry of this transition. */
  readonly seq: number;
  readonly now: Date;
}) => Promise<void>;

export class DomainFunctionRegistry {
  private readonly functions: ReadonlyMap<string, DomainFunction>;
  private readonly writers: ReadonlyMap<string, DomainWriter>;

  constructor(functions: Readonly<Record<string, DomainFunction>>, writers: Readonly<Record<string, DomainWriter>> = {}) {
    this.functions = new Map(Object.entries(functions));
    this.writers = new Map(Object.entries(writers));
  }

  hasWriter(name: string): boolean {
    return this.writers.has(name);
  }

  writerNames(): string[] {
    return [...this.writers.keys()].sort();
  }

  writer(name: string): DomainWriter | undefined {
    return this.writers.get(name);
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
