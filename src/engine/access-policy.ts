/**
 * The one access policy: who may read what, and who may use the platform's own functions.
 * Every caller (HTTP controllers, CLI, process services, a web page) asks it; nothing else
 * decides reading rights.
 *
 * - **Acting on a case** (starting it, sending an event) is decided by its definition: start
 *   roles and each event's roles, checked by the compiled machine on the write path.
 * - **Reading a case** (the instance, its trail, documents, timers, outbox, attachments,
 *   related cases): the platform's reading roles (`admin`, `auditor`, `process_owner`) read
 *   every case; anyone else reads the cases whose own definition version declares one of
 *   their roles. Lists apply the same rule per version, so a list never shows a case its
 *   single read would refuse.
 * - **Adding to a case** (attachments): a role of the case's process, not only a reading role.
 * - **Platform functions**: the table `PLATFORM_PERMISSIONS`.
 *
 * Role names are looked up as own properties only, so a role called `constructor` or
 * `toString` matches nothing a definition did not declare.
 */
import { PLATFORM_ROLES } from '../auth/auth.service';
import { AppError, ErrorCode } from '../common/app-error';
import type { Actor } from '../compiler/process-machine.contract';
import type { ProcessDefinition } from '../definitions/definition.types';
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
} as const satisfies Record<string, readonly string[]>;

export type PlatformPermission = keyof typeof PLATFORM_PERMISSIONS;

/** A case as the policy needs to see it: which definition version it runs. */
export interface CaseRef {
  readonly definition: string;
  readonly definitionVersionId: string;
}

export interface AccessPolicyDeps {
  /** The compiled definition of a stored version. */
  definitionOf(versionId: string): Promise<ProcessDefinition>;
  /** Every stored definition version. */
  versions(): Promise<readonly { readonly id: string; readonly key: string }[]>;
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
    return actor.roles.some((r) => declaresRole(definition, r));
  }

  async requireRead(actor: Actor, ref: CaseRef): Promise<void> {
    if (!(await this.mayRead(actor, ref))) {
      throw new AppError(ErrorCode.Forbidden, `you have no role in '${ref.definition}', so you may not read its instances`);
    }
  }

  /** Whether the actor may add to the case: a role of its process, not only a reading role. */
  async mayParticipate(actor: Actor, ref: CaseRef): Promise<boolean> {
    const definition = await this.deps.definitionOf(ref.definitionVersionId);
    return actor.roles.some((r) => declaresRole(definition, r));
  }

  /**
   * The definition versions whose cases the actor may read: `all`, or the ids (the rule of
   * `mayRead`, version by version) with the keys they belong to.
   */
  async readableVersions(actor: Actor): Promise<'all' | { readonly ids: readonly string[]; readonly keys: readonly string[] }> {
    if (this.has(actor, 'instances.readAll')) return 'all';
    const ids: string[] = [];
    const keys = new Set<string>();
    for (const v of await this.deps.versions()) {
      const definition = await this.deps.definitionOf(v.id);
      if (actor.roles.some((r) => declaresRole(definition, r))) {
        ids.push(v.id);
        keys.add(v.key);
      }
    }
    return { ids, keys: [...keys] };
  }

  /** Refuses unless the actor may read the cases of some version of the definition (views over a whole process). */
  async requireReadDefinition(actor: Actor, definition: string): Promise<void> {
    const readable = await this.readableVersions(actor);
    if (readable === 'all' || readable.keys.includes(definition)) return;
    throw new AppError(ErrorCode.Forbidden, `you have no role in '${definition}', so you may not read its instances`);
  }
}

/** The policy over the stored definition versions. */
export function createAccessPolicy(db: Database, definitions: Pick<DefinitionRegistry, 'machine'>): AccessPolicy {
  return new AccessPolicy({
    definitionOf: async (versionId) => (await definitions.machine(versionId)).definition,
    versions: () => db.read((q) => q.rows<{ id: string; key: string }>('SELECT id, key FROM definition_versions ORDER BY key, version')),
  });
}
