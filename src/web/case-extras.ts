/**
 * The case page's step bar (where the case is: the definition's top-level states in order, the
 * ones the audit trail passed through and the current one) and its related cases
 * (InstanceQueryService.related, as GET /instances/:id/related: only cases the reader may read).
 */
import type { Actor } from '../compiler/process-machine.contract';
import type { ProcessDefinition } from '../definitions/definition.types';
import type { Engine } from '../engine/engine';
import type { AuditEntryView, InstanceView } from '../engine/instance.types';
import type { CasePresenter } from './case-presenter';

export interface StepBarItem {
  readonly no: number;
  readonly title: string;
  /** `done`: the trail passed through it; `current`: the case is in it now; `todo`: not (yet) reached. */
  readonly status: 'done' | 'current' | 'todo';
}

/** The top-level states in the order of the definition, marked from the trail (a nested state counts as its top-level state). */
export function stepBar(def: ProcessDefinition, instance: Pick<InstanceView, 'state'>, trail: readonly Pick<AuditEntryView, 'toState'>[]): StepBarItem[] {
  const topOf = (name: string | null): string | undefined => (name ? (def.states[name]?.path[0] ?? name) : undefined);
  const passed = new Set(trail.map((e) => topOf(e.toState)).filter((s): s is string => s !== undefined));
  const current = topOf(instance.state);
  return Object.values(def.states)
    .filter((s) => s.path.length === 1)
    .map((s, i) => ({ no: i + 1, title: s.title ?? s.name, status: s.name === current ? 'current' : passed.has(s.name) ? 'done' : 'todo' }));
}

/** How the other case is related, in Chinese (the engine's relation names from InstanceQueryService.related). */
const RELATION_TEXT: Record<string, string> = {
  parent: '发起本案件的案件',
  child: '由本案件发起',
  'sent events to it': '曾推动本案件办理',
  'received events from it': '本案件曾推动它办理',
  'applied its decision to it': '其决定已写入本案件',
};

export async function relatedCases(engine: Engine, presenter: CasePresenter, id: string, actor: Actor) {
  const items = await engine.instances.related(id, actor);
  return Promise.all(
    items.map(async (r) => {
      const def = await presenter.definitionOf(r.instance);
      return {
        href: `/app/cases/${encodeURIComponent(r.instance.id)}`,
        relation: RELATION_TEXT[r.relation] ?? '相关案件',
        process: def.title,
        businessKey: r.instance.businessKey,
        summary: presenter.summary(def, r.instance),
        stateTitle:
          r.instance.status === 'completed' ? `${presenter.stateTitle(def, r.instance.state)}（已结束）` : presenter.stateTitle(def, r.instance.state),
      };
    }),
  );
}
