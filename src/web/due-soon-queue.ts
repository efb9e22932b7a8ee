/**
 * 即将超时 on the home page: for supervisors, the active cases whose next deadline is due within
 * the definition's `dueSoon:` threshold or has passed, in the steps they may reassign (a role in
 * `assignment.reassignBy` of the state, else of the definition) — or every step for `admin`.
 * Cases are listed through the engine's instance query on behalf of the person, so the queue
 * never shows a case the API would refuse them; the oldest due first.
 */
import { PLATFORM_ROLES } from '../auth/auth.service';
import type { Actor } from '../compiler/process-machine.contract';
import type { ProcessDefinition } from '../definitions/definition.types';
import type { Engine } from '../engine/engine';
import type { InstanceView } from '../engine/instance.types';
import type { CasePresenter, DeadlineBadge } from './case-presenter';

/** How many active cases of one process the queue looks at (the instance query's page limit). */
const SCAN_LIMIT = 200;

/** `assignment.reassignBy` of the state, else of the definition. */
function reassignBy(def: ProcessDefinition, state: string): readonly string[] {
  return def.states[state]?.assignment?.reassignBy ?? def.assignment?.reassignBy ?? [];
}

/** Whether the person supervises (may reassign) some step of the definition, or is an admin. */
export function supervisesAny(def: ProcessDefinition, actor: Actor): boolean {
  if (actor.roles.includes(PLATFORM_ROLES.admin)) return true;
  const roles = [...(def.assignment?.reassignBy ?? []), ...Object.values(def.states).flatMap((s) => s.assignment?.reassignBy ?? [])];
  return roles.some((r) => actor.roles.includes(r));
}

/** Whether the person supervises the step the case is in. */
export function supervisesStep(def: ProcessDefinition, state: string, actor: Actor): boolean {
  return actor.roles.includes(PLATFORM_ROLES.admin) || reassignBy(def, state).some((r) => actor.roles.includes(r));
}

/** A badge belongs in the queue when it is yellow (due within the threshold) or red (overdue). */
export function dueSoonOrLate(badge: DeadlineBadge | undefined): badge is DeadlineBadge {
  return badge?.tone === 'yellow' || badge?.tone === 'red';
}

export interface DueSoonEntry {
  readonly instance: InstanceView;
  readonly badge: DeadlineBadge;
  readonly holder?: string;
}

/** The queue, or undefined when the person supervises no process (then the page shows no such section). */
export async function dueSoonQueue(engine: Engine, presenter: CasePresenter, actor: Actor): Promise<DueSoonEntry[] | undefined> {
  const keys: string[] = [];
  for (const v of await engine.definitions.list()) {
    if (supervisesAny((await engine.definitions.machine(v.id)).definition, actor)) keys.push(v.key);
  }
  if (keys.length === 0) return undefined;
  const found: { instance: InstanceView; badge: DeadlineBadge }[] = [];
  for (const key of keys) {
    const page = await engine.instances.list({ definition: key, status: 'active', limit: SCAN_LIMIT }, actor);
    for (const instance of page.items) {
      const def = await presenter.definitionOf(instance);
      if (!supervisesStep(def, instance.state, actor)) continue;
      const badge = await presenter.nextDeadline(instance, actor);
      if (dueSoonOrLate(badge)) found.push({ instance, badge });
    }
  }
  found.sort((a, b) => a.badge.dueAt.localeCompare(b.badge.dueAt) || a.instance.updatedAt.localeCompare(b.instance.updatedAt));
  const holders = await engine.assignments.holders(found.map((f) => f.instance.id));
  return found.map((f) => {
    const held = holders[f.instance.id];
    return { ...f, ...(held && held.state === f.instance.state ? { holder: held.name } : {}) };
  });
}
