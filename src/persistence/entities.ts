/**
 * TypeORM entities: the tables the engine reads through repositories. The hot path
 * (transition: version-checked UPDATE + audit INSERT) is explicit SQL in
 * `src/engine/instance-store.ts`; the schema itself is created by migrations only.
 *
 * Portable column choices: JSON is stored as text, instants as ISO-8601 UTC text
 * (`2026-02-13T02:00:00.000Z`, fixed width, so text order is time order), on SQLite and
 * PostgreSQL alike, so the audit hash of a stored row can be recomputed byte for byte.
 */
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('definition_versions')
@Index(['key', 'version'], { unique: true })
@Index(['key', 'hash'], { unique: true })
export class DefinitionVersionEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { length: 100 }) key: string;
  @Column('integer') version: number;
  @Column('varchar', { length: 64 }) hash: string;
  @Column('varchar', { length: 200 }) title: string;
  @Column('varchar', { length: 300 }) file: string;
  @Column('text') source: string;
  @Column('varchar', { name: 'created_by', length: 100 }) createdBy: string;
  @Column('varchar', { name: 'created_at', length: 30 }) createdAt: string;
}

@Entity('instances')
@Index(['definitionKey', 'businessKey'], { unique: true })
@Index(['definitionKey', 'state'])
@Index(['definitionKey', 'status'])
export class InstanceEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { name: 'definition_key', length: 100 }) definitionKey: string;
  @Column('varchar', { name: 'definition_version_id', length: 36 }) definitionVersionId: string;
  @Column('varchar', { name: 'business_key', length: 200 }) businessKey: string;
  /** Name of the active leaf state (unique within a definition). */
  @Column('varchar', { length: 100 }) state: string;
  @Column('text') context: string;
  /** `active` or `completed`. */
  @Column('varchar', { length: 20 }) status: string;
  /** Optimistic-lock version: every transition increments it, compare-and-set on it. */
  @Column('integer') version: number;
  @Column('integer', { name: 'audit_seq' }) auditSeq: number;
  @Column('varchar', { name: 'audit_head', length: 64 }) auditHead: string;
  @Column('varchar', { name: 'created_by', length: 100 }) createdBy: string;
  @Column('varchar', { name: 'created_at', length: 30 }) createdAt: string;
  @Column('varchar', { name: 'updated_at', length: 30 }) updatedAt: string;
  /** The instance whose `start` action created this one. */
  @Column('varchar', { name: 'parent_id', length: 36, nullable: true }) parentId: string | null;
}

@Entity('audit_entries')
export class AuditEntryEntity {
  @PrimaryColumn('varchar', { name: 'instance_id', length: 36 }) instanceId: string;
  @PrimaryColumn('integer') seq: number;
  @Column('varchar', { name: 'event_type', length: 100 }) eventType: string;
  @Column('text') payload: string;
  @Column('varchar', { length: 100 }) actor: string;
  @Column('text', { name: 'actor_roles' }) actorRoles: string;
  /** JSON map of the actor's attributes when they had any (guards may use them, e.g. department). */
  @Column('text', { name: 'actor_attributes', nullable: true }) actorAttributes: string | null;
  @Column('varchar', { name: 'from_state', length: 100, nullable: true }) fromState: string | null;
  @Column('varchar', { name: 'to_state', length: 100 }) toState: string;
  @Column('varchar', { name: 'definition_version_id', length: 36 }) definitionVersionId: string;
  @Column('text') effects: string;
  @Column('varchar', { length: 30 }) at: string;
  @Column('varchar', { name: 'prev_hash', length: 64 }) prevHash: string;
  @Column('varchar', { length: 64 }) hash: string;
  /** JSON: what sent the event when no person did (a timer, an outbox message from another instance, a schedule). */
  @Column('text', { nullable: true }) cause: string | null;
}

@Entity('users')
export class UserEntity {
  @PrimaryColumn('varchar', { length: 100 }) username: string;
  @Column('varchar', { name: 'password_hash', length: 300 }) passwordHash: string;
  @Column('text') roles: string;
  @Column('varchar', { name: 'display_name', length: 200, nullable: true }) displayName: string | null;
  /** JSON map of attributes processes may check, e.g. {"department": "工程部"}. */
  @Column('text', { nullable: true }) attributes: string | null;
  @Column('varchar', { name: 'created_at', length: 30 }) createdAt: string;
}

@Entity('api_tokens')
export class ApiTokenEntity {
  /** SHA-256 of the bearer token: the token itself is never stored. */
  @PrimaryColumn('varchar', { name: 'token_hash', length: 64 }) tokenHash: string;
  @Column('varchar', { length: 100 }) username: string;
  @Column('varchar', { name: 'expires_at', length: 30 }) expiresAt: string;
  @Column('varchar', { name: 'created_at', length: 30 }) createdAt: string;
}

@Entity('idempotency_records')
export class IdempotencyRecordEntity {
  @PrimaryColumn('varchar', { length: 100 }) actor: string;
  @PrimaryColumn('varchar', { name: 'idem_key', length: 200 }) idemKey: string;
  @Column('varchar', { name: 'request_hash', length: 64 }) requestHash: string;
  @Column('integer', { name: 'status_code' }) statusCode: number;
  @Column('text') response: string;
  @Column('varchar', { name: 'created_at', length: 30 }) createdAt: string;
}

@Entity('timers')
export class TimerEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { name: 'instance_id', length: 36 }) instanceId: string;
  /** The state whose deadline armed it: leaving the state cancels it. */
  @Column('varchar', { length: 100 }) state: string;
  @Column('varchar', { length: 200 }) deadline: string;
  @Column('varchar', { name: 'event_type', length: 100 }) eventType: string;
  @Column('text') payload: string;
  @Column('varchar', { name: 'due_at', length: 30 }) dueAt: string;
  /** pending, fired, cancelled, failed, suspended (its case waits in a holding state) or resumed (replaced on return). */
  @Column('varchar', { length: 20 }) status: string;
  /** When a `suspend:` deadline stopped (status suspended or resumed). */
  @Column('varchar', { name: 'suspended_at', length: 30, nullable: true }) suspendedAt: string | null;
  @Column('integer', { name: 'created_seq' }) createdSeq: number;
  @Column('integer', { name: 'fired_seq', nullable: true }) firedSeq: number | null;
  @Column('varchar', { name: 'fired_at', length: 30, nullable: true }) firedAt: string | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('varchar', { name: 'claimed_by', length: 100, nullable: true }) claimedBy: string | null;
  @Column('varchar', { name: 'claimed_until', length: 30, nullable: true }) claimedUntil: string | null;
  @Column('varchar', { name: 'created_at', length: 30 }) createdAt: string;
  /** 1 when the due time counts working days of a year without official holiday data. */
  @Column('integer', { default: 0 }) provisional: number;
  /** JSON of what a holiday-dependent due time was computed from (deadline-spec `CalendarBasis`). */
  @Column('text', { nullable: true }) basis: string | null;
}

/** One failed sign-in: counted per username and per client within the lockout window. */
@Entity('sign_in_failures')
@Index('ix_sign_in_failures_username', ['username', 'at'])
@Index('ix_sign_in_failures_client', ['client', 'at'])
@Index('ix_sign_in_failures_at', ['at'])
export class SignInFailureEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { length: 100 }) username: string;
  /** The client's address as the service sees it (see README, sign-in). */
  @Column('varchar', { length: 100 }) client: string;
  @Column('varchar', { length: 30 }) at: string;
}

/** Each change of the business calendar's data the engine noticed, and what it recomputed. */
@Entity('calendar_revisions')
@Index('ix_calendar_revisions_at', ['at'])
export class CalendarRevisionEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { length: 64 }) fingerprint: string;
  /** JSON list of the years with official data. */
  @Column('text', { name: 'official_years' }) officialYears: string;
  @Column('varchar', { name: 'official_through', length: 10, nullable: true }) officialThrough: string | null;
  /** What prompted it: start, reload (API or CLI), or another process's reload. */
  @Column('varchar', { length: 20 }) trigger: string;
  @Column('varchar', { length: 100 }) actor: string;
  @Column('text') reason: string;
  /** How many pending deadlines it moved or confirmed. */
  @Column('integer') changed: number;
  @Column('varchar', { length: 30 }) at: string;
}

@Entity('documents')
export class DocumentEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { name: 'instance_id', length: 36 }) instanceId: string;
  @Column('integer', { name: 'audit_seq' }) auditSeq: number;
  @Column('varchar', { length: 200 }) template: string;
  @Column('varchar', { name: 'template_hash', length: 64 }) templateHash: string;
  @Column('varchar', { length: 300 }) title: string;
  @Column('text') html: string;
  @Column('varchar', { name: 'created_at', length: 30 }) createdAt: string;
}

@Entity('outbox')
export class OutboxEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { name: 'instance_id', length: 36 }) instanceId: string;
  @Column('integer', { name: 'audit_seq' }) auditSeq: number;
  /** email, notify, post, emit or start. */
  @Column('varchar', { length: 30 }) kind: string;
  @Column('text') params: string;
  @Column('varchar', { name: 'document_id', length: 36, nullable: true }) documentId: string | null;
  /** pending, delivered or failed (gave up after the last retry). */
  @Column('varchar', { length: 20 }) status: string;
  @Column('integer') attempts: number;
  @Column('varchar', { name: 'next_attempt_at', length: 30 }) nextAttemptAt: string;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
  @Column('text', { nullable: true }) result: string | null;
  @Column('varchar', { name: 'delivered_at', length: 30, nullable: true }) deliveredAt: string | null;
  @Column('varchar', { name: 'claimed_by', length: 100, nullable: true }) claimedBy: string | null;
  @Column('varchar', { name: 'claimed_until', length: 30, nullable: true }) claimedUntil: string | null;
  @Column('varchar', { name: 'created_at', length: 30 }) createdAt: string;
}

@Entity('inbox_items')
export class InboxItemEntity {
  /** The id of the outbox message that delivered it: a redelivery cannot add it twice. */
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { length: 100 }) role: string;
  @Column('varchar', { name: 'instance_id', length: 36 }) instanceId: string;
  @Column('text') message: string;
  @Column('varchar', { name: 'created_at', length: 30 }) createdAt: string;
}

@Entity('notices')
export class NoticeEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { name: 'instance_id', length: 36 }) instanceId: string;
  @Column('varchar', { name: 'document_id', length: 36 }) documentId: string;
  @Column('varchar', { length: 300 }) title: string;
  @Column('varchar', { name: 'posted_at', length: 30 }) postedAt: string;
}

@Entity('schedules')
export class ScheduleEntity {
  @PrimaryColumn('varchar', { name: 'definition_key', length: 100 }) definitionKey: string;
  @PrimaryColumn('varchar', { length: 100 }) name: string;
  @Column('varchar', { name: 'next_run_at', length: 30 }) nextRunAt: string;
  @Column('varchar', { name: 'last_run_at', length: 30, nullable: true }) lastRunAt: string | null;
  @Column('text', { name: 'last_error', nullable: true }) lastError: string | null;
}

/** A household of a round's roster (survey-round.yaml); frozen with the round's `freezeRoster`. */
@Entity('survey_households')
export class SurveyHouseholdEntity {
  @PrimaryColumn('varchar', { name: 'round_id', length: 36 }) roundId: string;
  @PrimaryColumn('varchar', { name: 'household_id', length: 200 }) householdId: string;
  @Column('integer', { name: 'row_no' }) rowNo: number;
  @Column('varchar', { length: 100 }) building: string;
  @Column('varchar', { length: 50 }) unit: string;
  @Column('varchar', { length: 50 }) room: string;
  @Column('varchar', { name: 'owner_name', length: 200 }) ownerName: string;
  @Column('varchar', { length: 100, nullable: true }) phone: string | null;
  /** 1 occupied, 0 not. */
  @Column('integer') occupied: number;
  @Column('text', { name: 'special_remark', nullable: true }) specialRemark: string | null;
  @Column('integer', { name: 'import_seq' }) importSeq: number;
  /** The approved exclusion request that removed the household from the round (issue 6). */
  @Column('varchar', { name: 'excluded_ref', length: 200, nullable: true }) excludedRef: string | null;
  @Column('integer', { name: 'sampled_seq', nullable: true }) sampledSeq: number | null;
}

/** A single-use answer token: only its SHA-256 is stored. */
@Entity('survey_tokens')
export class SurveyTokenEntity {
  @PrimaryColumn('varchar', { name: 'token_hash', length: 64 }) tokenHash: string;
  @Column('varchar', { name: 'round_id', length: 36 }) roundId: string;
  @Column('varchar', { name: 'household_id', length: 200 }) householdId: string;
  @Column('integer', { name: 'issued_seq' }) issuedSeq: number;
  @Column('varchar', { name: 'used_at', length: 30, nullable: true }) usedAt: string | null;
  @Column('integer', { name: 'used_seq', nullable: true }) usedSeq: number | null;
}

/** A returned form (online or paper), one per household and round. */
@Entity('survey_responses')
export class SurveyResponseEntity {
  @PrimaryColumn('varchar', { name: 'round_id', length: 36 }) roundId: string;
  @PrimaryColumn('varchar', { name: 'household_id', length: 200 }) householdId: string;
  @Column('varchar', { length: 20 }) channel: string;
  @Column('text') answers: string;
  @Column('integer', { name: 'audit_seq' }) auditSeq: number;
  @Column('varchar', { name: 'recorded_by', length: 200 }) recordedBy: string;
  @Column('varchar', { name: 'received_at', length: 30 }) receivedAt: string;
}

@Entity('survey_exclusions')
export class SurveyExclusionEntity {
  @PrimaryColumn('varchar', { name: 'round_id', length: 36 }) roundId: string;
  @PrimaryColumn('varchar', { name: 'household_id', length: 200 }) householdId: string;
  /** The approved exclusion request (its 申请编号) that removed the household. */
  @Column('varchar', { name: 'request_key', length: 200 }) requestKey: string;
  @Column('text') reason: string;
  /** The round's audit entry that applied it. */
  @Column('integer', { name: 'applied_seq' }) appliedSeq: number;
  @Column('varchar', { name: 'created_at', length: 30 }) createdAt: string;
}

/** A correlation value of an instance (`correlation:`), found exactly by `emit … where:`. */
@Entity('instance_correlations')
@Index('ix_instance_correlations_lookup', ['definitionKey', 'name', 'valueHash'])
export class InstanceCorrelationEntity {
  @PrimaryColumn('varchar', { name: 'instance_id', length: 36 }) instanceId: string;
  @PrimaryColumn('varchar', { length: 100 }) name: string;
  @Column('varchar', { name: 'definition_key', length: 100 }) definitionKey: string;
  /** Canonical JSON of the value (`"翠湖"`), so a text and a number never match each other. */
  @Column('text') value: string;
  /** SHA-256 (hex) of `value`: what the index compares. */
  @Column('varchar', { name: 'value_hash', length: 64 }) valueHash: string;
}

/** Who holds the current step of a case (claim, transfer, reassign): one row per instance. */
@Entity('task_assignments')
@Index('ix_task_assignments_assignee', ['assignee'])
export class TaskAssignmentEntity {
  @PrimaryColumn('varchar', { name: 'instance_id', length: 36 }) instanceId: string;
  @Column('varchar', { length: 100 }) state: string;
  @Column('varchar', { length: 100 }) assignee: string;
  @Column('varchar', { name: 'assigned_by', length: 100 }) assignedBy: string;
  @Column('varchar', { name: 'assigned_at', length: 30 }) assignedAt: string;
  @Column('integer', { name: 'audit_seq' }) auditSeq: number;
}

/** A copy of a case to one person (`cc:`), with its read receipt. */
@Entity('case_copies')
@Index('ix_case_copies_username', ['username', 'createdAt'])
export class CaseCopyEntity {
  @PrimaryColumn('varchar', { name: 'instance_id', length: 36 }) instanceId: string;
  @PrimaryColumn('integer', { name: 'audit_seq' }) auditSeq: number;
  @PrimaryColumn('varchar', { length: 100 }) username: string;
  @Column('text', { nullable: true }) message: string | null;
  @Column('varchar', { name: 'created_at', length: 30 }) createdAt: string;
  @Column('varchar', { name: 'read_at', length: 30, nullable: true }) readAt: string | null;
}

@Entity('attachments')
export class AttachmentEntity {
  @PrimaryColumn('varchar', { length: 36 }) id: string;
  @Column('varchar', { name: 'instance_id', length: 36 }) instanceId: string;
  @Column('varchar', { length: 200 }) name: string;
  @Column('varchar', { name: 'content_type', length: 200 }) contentType: string;
  @Column('integer') size: number;
  @Column('varchar', { length: 64 }) sha256: string;
  /** Base64 of the file. */
  @Column('text') content: string;
  @Column('varchar', { name: 'uploaded_by', length: 100 }) uploadedBy: string;
  @Column('varchar', { name: 'created_at', length: 30 }) createdAt: string;
}

export const ENTITIES = [
  CaseCopyEntity,
  TaskAssignmentEntity,
  InstanceCorrelationEntity,
  SignInFailureEntity,
  CalendarRevisionEntity,
  AttachmentEntity,
  SurveyExclusionEntity,
  TimerEntity,
  DocumentEntity,
  OutboxEntity,
  InboxItemEntity,
  NoticeEntity,
  ScheduleEntity,
  DefinitionVersionEntity,
  InstanceEntity,
  AuditEntryEntity,
  UserEntity,
  ApiTokenEntity,
  IdempotencyRecordEntity,
  SurveyHouseholdEntity,
  SurveyTokenEntity,
  SurveyResponseEntity,
];
