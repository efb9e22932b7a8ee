import type { JsonSchema } from '../definitions/definition.types';

/** An instance as the API shows it. */
export interface InstanceView {
  readonly id: string;
  readonly definition: string;
  readonly definitionVersion: number;
  readonly definitionVersionId: string;
  readonly businessKey: string;
  readonly state: string;
  readonly status: 'active' | 'completed';
  readonly context: Record<string, unknown>;
  /** Optimistic-lock version: increments with every transition. */
  readonly version: number;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The instance whose `start` action created this one, if any. */
  readonly parentId: string | null;
}

export interface AuditEntryView {
  readonly instanceId: string;
  readonly seq: number;
  readonly eventType: string;
  readonly payload: unknown;
  readonly actor: string;
  readonly actorRoles: readonly string[];
  /** The actor's attributes at the time (e.g. department), when the user had any. */
  readonly actorAttributes?: Readonly<Record<string, string>>;
  readonly fromState: string | null;
  readonly toState: string;
  readonly definitionVersionId: string;
  readonly effects: unknown;
  readonly at: string;
  readonly prevHash: string;
  readonly hash: string;
  /** What sent the event when no person did (timer, another instance's outbox message, schedule). */
  readonly cause: unknown;
}

export interface AvailableEventView {
  readonly type: string;
  readonly title?: string;
  /** State that declares the event (the current state or one of its ancestors). */
  readonly state: string;
  readonly roles: readonly string[];
  readonly payloadSchema: JsonSchema;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
}
