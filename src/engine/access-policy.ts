/**
 * The one access policy: who may read what, and who may use the platform's own functions.
 * Every caller (HTTP controllers, CLI, process services, a web page) asks it; nothing else
 * decides reading rights.
 *
 * - **Acting on a case** (starting it, sending an event) is decided by its definition: start
 *   roles and each event's roles, checked by the compiled machine on the write path; a person
 *   whose roles read only their own cases acts only on those (`mayActOn`).
 * - **Reading a case** (the instance, its trail, documents, timers, outbox, attachments,
 *   related cases): the platform's reading roles (`admin`, `auditor`, `process_owner`) read
 *   every case; anyone else reads what the case's own definition version says under `read:`
 *   — an `all` role every case, an `own` role only the cases it started (`instances.created_by`,
 *   written once by the engine at creation) or whose `ownerField` names it; without `read:`
 *   every declared role is an `all` role. Lists apply the same rule per version and per row
 *   (`readableVersions` → `readableClause`), so a list never shows a case its single read
 *   would refuse.
 * - **Holding a step** (`assignment.service.ts`): the candidates of a step (the people's roles of
 *   the events its state accepts, who may act on the case) claim it; only the holder then sends
 *   its events, releases or transfers it (to a candidate); the definition's
 *   `assignment.reassignBy` roles reassign it. Every assignment route first requires reading the case.
 * - **Copies** (`cc:`, `copies.service.ts`) grant no reading right: a copy shows only to a person
 *   who may read the case; the read receipt is theirs alone.
 * - **Adding to a case** (attachments): a role of the case's process, not only a reading role,
 *   on a case the person may read.
 * - **Personal data** (`personal:` in the definition): masked for every reader but the
 *   `clearFor` roles and the case's starter (`maskedFor`); see `personal-data.ts`.
 * - **Platform functions**: the table `PLATFORM_PERMISSIONS`.
 *
 * Role names are looked up as own properties only, so a role called `constructor` or
 * `toString` matches nothing a definition did not declare.
 */
import { PLATFORM_ROLES } from '../auth/auth.service';
import { AppError, ErrorCode } from '../common/app-error';
import type { Clock } from '../common/clock';
import type { Actor } from '../compiler/process-machine.contract';
import type { PersonalDataDefinition, ProcessDefinition } from '../definitions/definition.types';
import type { Database } from '../persistence/database';
import type { DefinitionRegistry } from './definition-registry';

/** What each platform function needs: one of these roles. */
export const PLATFORM_PERMISSIONS = {
  /** Upload a definition version (a process owner's YAML). */
  'definitions.upload': [PLATFORM_ROLES.processOwner, PLATFORM_ROLES.admin],
  /** Walk the audit chains and name the first bad entry. */
  'audit.verify': [PLATFORM_ROLES.auditor, PLATFORM_ROLES.admin],
  /** Read every outbox message, of every case. */
  'outbox.readAll': [PLATFORM_ROLES.admin, PLATFORM_ROLES.auditor],
  /** Read every case of every process. */
  'instances.readAll': [PLATFORM_ROLES.admin, PLATFORM_ROLES.auditor, PLATFORM_ROLES.processOwner],
  /** Reload the business calendar and recompute deadlines. */
  'calendar.reload': [PLATFORM_ROLES.admin],
  /** Read the history of calendar changes. */
  'calendar.revisions': [PLATFORM_ROLES.auditor, PLATFORM_ROLES.admin],
  /** Print another user's 经理服务卡 (anyone may print their own). */
  'users.serviceCard': [PLATFORM_ROLES.processOwner, PLATFORM_ROLES.admin],
} as const satisfies Record<string, readonly string[]>;

export type PlatformPermission = keyof typeof PLATFORM_PERMISSIONS;

/** A case as the policy needs to see it: which definition version it runs, who started it, its data. */
export interface CaseRef {
  readonly definition: string;
  readonly definitionVersionId: string;
  /** The user who started it (`instances.created_by`). */
  readonly createdBy: string;
  readonly context: Readonly<Record<string, unknown>>;
}

/** The versions a reader may list: every case of `all`, only their own cases of `own`. */
export interface ReadableVersions {
  readonly all: readonly string[];
  readonly own: readonly { readonly id: string; readonly ownerField?: string }[];
  /** Definition keys with at least one `all` version (views over a whole process). */
  readonly keys: readonly string[];
}

export interface AccessPolicyDeps {
  /** The compiled definition of a stored version. */
  definitionOf(versionId: string): Promise<ProcessDefinition>;
  /** Every stored definition version. */
  versions(): Promise<readonly { readonly id: string; readonly key: string }[]>;
  /** The time `personal.clearWhen` sees as `now` (the engine's clock). */
  now?(): Date;
}

/** True when the definition declares the role (own property: never `constructor`, `toString`, …). */
export function declaresRole(definition: Pick<ProcessDefinition, 'roles'>, role: string): boolean {
  return role !== 'system' && Object.prototype.hasOwnProperty.call(definition.roles, role);
}

export class AccessPolicy {
  constructor(private readonly deps: AccessPolicyDeps) {}

  /** Whether the actor may use a platform function. */
  has(actor: Actor, permission: PlatformPermission): boolean {
    const allowed: readonly string[] = PLATFORM_PERMISSIONS[permission];
    return actor.roles.some((r) => allowed.includes(r));
  }

  /** Throws Forbidden unless the actor may use the platform function; `what` names it for people. */
  require(actor: Actor, permission: PlatformPermission, what: string): void {
    if (this.has(actor, permission)) return;
    const allowed: readonly string[] = PLATFORM_PERMISSIONS[permission];
    throw new AppError(ErrorCode.Forbidden, `${what} needs one of the roles ${allowed.join(', ')}; you have ${actor.roles.join(', ') || 'none'}`);
  }

  /** Whether the actor may read the case (see the file header). */
  async mayRead(actor: Actor, ref: CaseRef): Promise<boolean> {
    if (this.has(actor, 'instances.readAll')) return true;
    const definition = await this.deps.definitionOf(ref.definitionVersionId);
    const reach = readReach(definition, actor);
    if (reach === 'all') return true;
    return reach === 'own' && isOwnCase(definition, actor, ref);
  }

  async requireRead(actor: Actor, ref: CaseRef): Promise<void> {
    if (!(await this.mayRead(actor, ref))) {
      const definition = await this.deps.definitionOf(ref.definitionVersionId);
      throw new AppError(
        ErrorCode.Forbidden,
        readReach(definition, actor) === 'own'
          ? `this '${ref.definition}' case is not yours: your role reads only the cases you started or that name you`
          : `you have no role in '${ref.definition}', so you may not read its instances`,
      );
    }
  }

  /** Whether the actor may add to the case: a role of its process (not only a reading role), and the case is one they may read. */
  async mayParticipate(actor: Actor, ref: CaseRef): Promise<boolean> {
    const definition = await this.deps.definitionOf(ref.definitionVersionId);
    return actor.roles.some((r) => declaresRole(definition, r)) && (await this.mayRead(actor, ref));
  }

  /**
   * The personal fields the actor sees masked in the case: none for a `personal.clearFor` role
   * or for the person who started it (their own data); the declared ones for everyone else,
   * platform roles (auditors, admins) included.
   */
  async maskedFor(actor: Actor, ref: Pick<CaseRef, 'definitionVersionId' | 'createdBy' | 'context'>): Promise<PersonalDataDefinition | undefined> {
    const definition = await this.deps.definitionOf(ref.definitionVersionId);
    const { personal } = definition;
    if (personal.fields.length === 0 && Object.keys(personal.payload).length === 0) return undefined;
    if (actor.roles.some((r) => declaresRole(definition, r) && personal.clearFor.includes(r))) return undefined;
    if (ref.createdBy === actor.id) return undefined;
    if (
      personal.clearWhen &&
      actor.roles.some((r) => declaresRole(definition, r)) &&
      clearWhenHolds(definition, actor, ref.context, this.deps.now?.() ?? new Date(0))
    )
      return undefined;
    return personal;
  }

  /**
   * The definition versions whose cases the actor may read: `all`, or per version (the rule of
   * `mayRead`) every case or only the actor's own, with the keys read whole.
   */
  async readableVersions(actor: Actor): Promise<'all' | ReadableVersions> {
    if (this.has(actor, 'instances.readAll')) return 'all';
    const all: string[] = [];
    const own: { id: string; ownerField?: string }[] = [];
    const keys = new Set<string>();
    for (const v of await this.deps.versions()) {
      const definition = await this.deps.definitionOf(v.id);
      const reach = readReach(definition, actor);
      if (reach === 'all') {
        all.push(v.id);
        keys.add(v.key);
      } else if (reach === 'own') {
        own.push({ id: v.id, ...(definition.read.ownerField ? { ownerField: definition.read.ownerField } : {}) });
      }
    }
    return { all, own, keys: [...keys] };
  }

  /** Refuses unless the actor may read the cases of some version of the definition (views over a whole process). */
  async requireReadDefinition(actor: Actor, definition: string): Promise<void> {
    const readable = await this.readableVersions(actor);
    if (readable === 'all' || readable.keys.includes(definition)) return;
    throw new AppError(ErrorCode.Forbidden, `you have no role in '${definition}', so you may not read its instances`);
  }
}

/** `personal.clearWhen` for this reader; an expression that fails (e.g. a missing field) counts as false. */
function clearWhenHolds(definition: ProcessDefinition, actor: Actor, context: Readonly<Record<string, unknown>>, now: Date): boolean {
  try {
    const scope = { context, payload: {}, rules: definition.ruleValues, actor, now: now.toISOString() };
    return definition.personal.clearWhen?.evaluate(scope) === true;
  } catch {
    return false;
  }
}

/** Whether the case is the actor's: they started it, or its `read.ownerField` names them. */
export function isOwnCase(definition: Pick<ProcessDefinition, 'read'>, actor: Actor, ref: Pick<CaseRef, 'createdBy' | 'context'>): boolean {
  const owner = definition.read.ownerField ? ref.context[definition.read.ownerField] : undefined;
  return ref.createdBy === actor.id || (typeof owner === 'string' && owner === actor.id);
}

/**
 * For the write path: an actor whose roles reach only their own cases may not send events to
 * anyone else's case, whatever the event's roles say (an owner may not act on another owner's
 * renovation application). Other actors are decided by the event's roles alone.
 */
export function mayActOn(definition: Pick<ProcessDefinition, 'roles' | 'read'>, actor: Actor, ref: Pick<CaseRef, 'createdBy' | 'context'>): boolean {
  return readReach(definition, actor) !== 'own' || isOwnCase(definition, actor, ref);
}

/** How far the actor's roles reach in a definition: every case, their own, or none. */
export function readReach(definition: Pick<ProcessDefinition, 'roles' | 'read'>, actor: Actor): 'all' | 'own' | 'none' {
  const roles = actor.roles.filter((r) => declaresRole(definition, r));
  if (roles.some((r) => definition.read.all.includes(r))) return 'all';
  return roles.some((r) => definition.read.own.includes(r)) ? 'own' : 'none';
}

/**
 * The SQL condition (over `instances i`) of the cases a reader may list, with its parameters
 * numbered from `$${first}`: the single read's rule, row by row. `dialect` picks how a context
 * field is read (`ownerField`); field names are identifiers checked at load.
 */
export function readableClause(
  readable: ReadableVersions,
  actor: Actor,
  dialect: 'sqlite' | 'postgres',
  first: number,
): { sql: string; params: unknown[] } | undefined {
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${first + params.length - 1}`;
  };
  const parts: string[] = [];
  if (readable.all.length > 0) parts.push(`i.definition_version_id IN (${readable.all.map(p).join(', ')})`);
  for (const v of readable.own) {
    const owner = v.ownerField
      ? ` OR ${dialect === 'sqlite' ? `json_extract(i.context, '$.${v.ownerField}')` : `(i.context::jsonb ->> '${v.ownerField}')`} = ${p(actor.id)}`
      : '';
    parts.push(`(i.definition_version_id = ${p(v.id)} AND (i.created_by = ${p(actor.id)}${owner}))`);
  }
  return parts.length === 0 ? undefined : { sql: `(${parts.join(' OR ')})`, params };
}

/** The policy over the stored definition versions. */
export function createAccessPolicy(db: Database, definitions: Pick<DefinitionRegistry, 'machine'>, clock?: Clock): AccessPolicy {
  return new AccessPolicy({
    ...(clock ? { now: () => clock.now() } : {}),
    definitionOf: async (versionId) => (await definitions.machine(versionId)).definition,
    versions: () => db.read((q) => q.rows<{ id: string; key: string }>('SELECT id, key FROM definition_versions ORDER BY key, version')),
  });
}
