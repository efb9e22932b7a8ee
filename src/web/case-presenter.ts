/**
 * What the pages show of a case, in business language: the summary line, state and event
 * titles from the definition, deadline badges counted in working days, the time line. Every
 * read goes through the engine's services on behalf of the reader (InstanceQueryService,
 * CaseRecordsService), so the access policy and the masking of personal data are the API's.
 */
import { chineseLocalTime } from '../calendar/local-time-text.util';
import { addLocalDays } from '../calendar/zoned-time.util';
import type { Actor } from '../compiler/process-machine.contract';
import { OPINION_FIELD, type EventDefinition, type JsonSchema, type ProcessDefinition, type StateDefinition } from '../definitions/definition.types';
import { fillSummary } from '../definitions/definition-summary';
import type { Engine } from '../engine/engine';
import type { AuditEntryView, InstanceView } from '../engine/instance.types';

/** Working days left at or under which a deadline shows yellow (due soon), unless the definition's `dueSoon:` says otherwise. */
export const DUE_SOON_WORKING_DAYS = 1;

export interface DeadlineBadge {
  readonly tone: 'green' | 'yellow' | 'red' | 'grey';
  readonly label: string;
  readonly provisional: boolean;
  readonly explain: string;
  readonly dueAt: string;
  /** Set on a grey 已暂停 badge: the title of the state the case waits in. */
  readonly paused?: string;
}

/** A timer as the badges need it (`GET /instances/:id/timers`). */
export interface BadgeTimer {
  readonly status: string;
  readonly dueAt: string;
  readonly provisional: boolean;
}

/** Audit event types of assignment changes (`engine/assignment.service.ts`), as people say them. */
const ASSIGNMENT_TITLES: Readonly<Record<string, string>> = { $claim: '认领', $release: '释放', $transfer: '转交', $reassign: '改派', $remind: '催办' };

export class CasePresenter {
  constructor(private readonly engine: Engine) {}

  async definitionOf(instance: Pick<InstanceView, 'definitionVersionId'>): Promise<ProcessDefinition> {
    return (await this.engine.definitions.machine(instance.definitionVersionId)).definition;
  }

  /** Titles of every process role (newest version of each definition), for the header. */
  async roleTitles(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const v of await this.engine.definitions.list()) {
      const def = (await this.engine.definitions.machine(v.id)).definition;
      for (const [name, role] of Object.entries(def.roles)) if (role.title && !(name in out)) out[name] = role.title;
    }
    return out;
  }

  time(value: unknown): string {
    return chineseLocalTime(value, { time: true, timeZone: this.engine.calendar.timeZone }) ?? String(value ?? '');
  }

  /** The state's title from the definition (with its parents' titles), never the engine's name when a title exists. */
  stateTitle(def: ProcessDefinition, state: string | null): string {
    if (!state) return '';
    // A nested state reads with its parents: 部门处理中 · 处理中（回单时限内）.
    const titles: string[] = [];
    for (let s: StateDefinition | undefined = def.states[state]; s; s = s.parent ? def.states[s.parent] : undefined) titles.unshift(s.title ?? s.name);
    return titles.length ? titles.join(' · ') : state;
  }

  eventOf(def: ProcessDefinition, type: string): EventDefinition | undefined {
    for (const s of Object.values(def.states)) if (Object.prototype.hasOwnProperty.call(s.on, type)) return s.on[type];
    return undefined;
  }

  /**
   * The one-line summary of a case: the definition's `summary:` filled with the case as the
   * reader sees it; without one, the values of its required plain-text context fields that are
   * not personal data (e.g. "8栋801 · 来访 · 车位被占"), each cut to 30 characters, with the
   * responsible department where the context has one.
   */
  summary(def: ProcessDefinition, instance: InstanceView): string {
    if (def.summary) return fillSummary(def.summary, instance.context, (v) => this.display(v)) || `${def.title} ${instance.businessKey}`;
    const schema = def.contextSchema as { properties?: Record<string, { type?: unknown; format?: unknown; enum?: unknown }>; required?: string[] };
    const personal = new Set(def.personal.fields);
    const parts: string[] = [];
    for (const name of schema.required ?? []) {
      const s = schema.properties?.[name];
      const v = instance.context[name];
      if (!s || personal.has(name) || s.format !== undefined || typeof v !== 'string' || v === '') continue;
      parts.push(v.length > 30 ? `${v.slice(0, 30)}…` : v);
      if (parts.length === 3) break;
    }
    const dept = instance.context.department;
    const text = parts.join(' · ') || `${def.title} ${instance.businessKey}`;
    return typeof dept === 'string' && dept && !parts.includes(dept) ? `${text} — ${dept}` : text;
  }

  /** The threshold of the yellow badge for a definition: its `dueSoon:`, else DUE_SOON_WORKING_DAYS. */
  dueSoonOf(def: Pick<ProcessDefinition, 'dueSoonWorkingDays'> | undefined): number {
    return def?.dueSoonWorkingDays ?? DUE_SOON_WORKING_DAYS;
  }

  /** The badge of a pending deadline: red overdue, yellow due within `dueSoon` working days, green otherwise. */
  badge(dueAt: string, provisional: boolean, dueSoon: number = DUE_SOON_WORKING_DAYS): DeadlineBadge {
    const now = this.engine.clock.now();
    const due = new Date(dueAt);
    const cal = this.engine.calendar;
    const explain = `到期时间 ${this.time(dueAt)}（按工作日历计算${provisional ? '；该年官方节假日安排尚未公布，按法定节假日暂定' : ''}）`;
    if (due.getTime() <= now.getTime()) {
      const late = cal.workingDaysBetween(due, now);
      return { tone: 'red', label: late > 0 ? `已超时 ${late} 个工作日` : '已超时', provisional, explain, dueAt };
    }
    const left = cal.workingDaysBetween(now, due);
    const label = left === 0 ? '今天到期' : `剩 ${left} 个工作日`;
    return { tone: left <= dueSoon ? 'yellow' : 'green', label, provisional, explain, dueAt };
  }

  /**
   * The badge of a deadline stopped while the case waits in a holding state (`suspend:`, timer
   * status `suspended`): grey 已暂停, with that state's title as the reason, never green/yellow/red.
   */
  pausedBadge(def: ProcessDefinition, state: string | null, dueAt: string, provisional: boolean): DeadlineBadge {
    const reason = this.stateTitle(def, state);
    const explain = `时限已暂停：案件处于「${reason}」，返回后恢复计时（暂停前的到期时间 ${this.time(dueAt)}）`;
    return { tone: 'grey', label: '已暂停', provisional, explain, dueAt, paused: reason };
  }

  /** The badge of a case from its timers: the earliest pending deadline; else a suspended one (grey); else none. */
  caseBadge(def: ProcessDefinition, state: string | null, timers: readonly BadgeTimer[]): DeadlineBadge | undefined {
    const byDue = (a: BadgeTimer, b: BadgeTimer) => a.dueAt.localeCompare(b.dueAt);
    const pending = timers.filter((t) => t.status === 'pending').sort(byDue)[0];
    if (pending) return this.badge(pending.dueAt, pending.provisional, this.dueSoonOf(def));
    const suspended = timers.filter((t) => t.status === 'suspended').sort(byDue)[0];
    return suspended ? this.pausedBadge(def, state, suspended.dueAt, suspended.provisional) : undefined;
  }

  /** The badge of a case (see caseBadge), read through the access policy on behalf of the reader. */
  async nextDeadline(instance: InstanceView, actor: Actor): Promise<DeadlineBadge | undefined> {
    const timers = (await this.engine.cases.timers(instance.id, actor)) as unknown as BadgeTimer[];
    return this.caseBadge(await this.definitionOf(instance), instance.state, timers);
  }

  /**
   * Why a deadline falls when it does (为什么是这个时限), in words: what the YAML says (N working
   * days, end of day, a rule and its value), counted from when the step was entered, and the
   * holidays and adjusted working days on the calendar in between.
   */
  why(def: ProcessDefinition, timer: { state: string; deadline: string; createdAt: string; dueAt: string }): string {
    const spec = def.states[timer.state]?.deadlines.find((d) => d.name === timer.deadline)?.spec;
    const phrase = (value: unknown): string =>
      String(value)
        .replace(/^(\d+)\s*working days?$/, '$1 个工作日')
        .replace(/^(\d+)\s*days?$/, '$1 个自然日')
        .replace(/^(\d+)$/, '$1 个自然日');
    let rule = '';
    if (spec?.kind === 'workingDays') rule = `${spec.count} 个工作日`;
    else if (spec?.kind === 'days') rule = `${spec.count} 个自然日`;
    else if (spec?.kind === 'hours') rule = `${spec.count} 小时`;
    else if (spec?.kind === 'minutes') rule = `${spec.count} 分钟`;
    else if (spec?.kind === 'endOfDay') rule = `当天下班前（${this.engine.calendar.endOfDayTime}）`;
    else if (spec?.kind === 'rule') rule = `规则「${def.rules[spec.name]?.title ?? spec.name}」：${phrase(def.ruleValues[spec.name])}`;
    else if (spec?.kind === 'context') rule = `案件数据中的时间（${spec.path}）`;
    const cal = this.engine.calendar;
    const special: string[] = [];
    let d = cal.localDate(new Date(timer.createdAt));
    const last = cal.localDate(new Date(timer.dueAt));
    for (let i = 0; d <= last && i < 400; i++, d = addLocalDays(d, 1)) {
      const info = cal.dayInfo(d);
      if (info.reason === 'holiday' || info.reason === 'closure') special.push(`${d.slice(5)} ${info.title ?? '休息'}${info.provisional ? '（暂定）' : ''}`);
      if (info.reason === 'adjusted-working-day' || info.reason === 'extra-working-day') special.push(`${d.slice(5)} 调休上班`);
    }
    return [`自 ${this.time(timer.createdAt)} 起`, rule, `到期 ${this.time(timer.dueAt)}`, special.length ? `其间：${special.join('、')}` : '']
      .filter(Boolean)
      .join('，');
  }

  /** Deadlines of the case, each with its state and status in Chinese. */
  async deadlines(instance: InstanceView, def: ProcessDefinition, actor: Actor) {
    const timers = (await this.engine.cases.timers(instance.id, actor)) as {
      status: string;
      dueAt: string;
      provisional: boolean;
      state: string;
      eventType: string;
      deadline: string;
      createdAt: string;
    }[];
    const statusText: Record<string, string> = {
      pending: '未到期',
      suspended: '已暂停',
      fired: '已到期并处理',
      cancelled: '已取消（已办结该步）',
      failed: '到期处理失败',
    };
    return timers.map((t) => {
      const badge =
        t.status === 'pending'
          ? this.badge(t.dueAt, t.provisional, this.dueSoonOf(def))
          : t.status === 'suspended'
            ? this.pausedBadge(def, instance.state, t.dueAt, t.provisional)
            : { tone: 'grey', label: statusText[t.status] ?? t.status, provisional: t.provisional };
      const event = this.eventOf(def, t.eventType);
      return {
        ...badge,
        title: `${this.stateTitle(def, t.state)}：${event?.title ?? t.eventType}`,
        due: this.time(t.dueAt),
        status: statusText[t.status] ?? t.status,
        why: this.why(def, t),
      };
    });
  }

  /** One value for people: 是/否, local times, JSON for structures. */
  display(value: unknown): string {
    if (typeof value === 'boolean') return value ? '是' : '否';
    if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) ? this.time(value) : value;
    if (value === null || value === undefined) return '';
    if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return value.map((v) => this.display(v)).join('、');
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  /** Titles of the context's fields, by name: the label of a same-named payload field that has no title (department → 责任部门). */
  fieldLabels(def: ProcessDefinition): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const [name, s] of Object.entries((def.contextSchema as { properties?: Record<string, { title?: unknown }> }).properties ?? {})) {
      if (typeof s.title === 'string') labels[name] = s.title;
    }
    return labels;
  }

  /** The audit trail (already masked for the reader by the engine) as a time line. */
  /** People's display names by login id (the id itself where a user has none). */
  async names(ids: Iterable<string>): Promise<(id: string) => string> {
    const names = await this.engine.auth.displayNames(ids);
    return (id) => names[id] ?? id;
  }

  timeline(def: ProcessDefinition, trail: readonly AuditEntryView[], nameOf: (id: string) => string = (id) => id) {
    const labels = this.fieldLabels(def);
    return trail.map((e) => {
      // People as assignees: a claim, release, transfer or reassignment reads as such, with the people it names.
      const assignment = Object.prototype.hasOwnProperty.call(ASSIGNMENT_TITLES, e.eventType) ? ASSIGNMENT_TITLES[e.eventType] : undefined;
      if (assignment) {
        const p = (e.payload ?? {}) as { assignee?: string | null; previous?: string | null };
        return {
          at: this.time(e.at),
          what: assignment,
          who: nameOf(e.actor),
          roles: e.actorRoles.map((r) => def.roles[r]?.title ?? r).join('、'),
          change: '',
          items: [
            ...(p.assignee ? [{ label: '办理人', value: nameOf(p.assignee) }] : []),
            ...(p.previous && p.previous !== e.actor ? [{ label: '原办理人', value: nameOf(p.previous) }] : []),
          ],
        };
      }
      const event = this.eventOf(def, e.eventType);
      const schema = (event?.payloadSchema ?? {}) as JsonSchema & { properties?: Record<string, { title?: string }> };
      const payload = e.payload && typeof e.payload === 'object' && !Array.isArray(e.payload) ? (e.payload as Record<string, unknown>) : {};
      const isStart = e.fromState === null;
      // A decision's written opinion (the event's `opinion:`) reads on its own, not as one field among others.
      const opinion = !isStart && event?.opinion && typeof payload[OPINION_FIELD] === 'string' ? (payload[OPINION_FIELD] as string) : undefined;
      return {
        opinion,
        at: this.time(e.at),
        what: isStart ? '发起' : (event?.title ?? (e.actor === 'system' ? '到期自动处理' : e.eventType)),
        who: e.actor === 'system' ? '系统' : nameOf(e.actor),
        roles: e.actor === 'system' ? '' : e.actorRoles.map((r) => def.roles[r]?.title ?? r).join('、'),
        change: isStart
          ? `进入「${this.stateTitle(def, e.toState)}」`
          : e.fromState !== e.toState
            ? `「${this.stateTitle(def, e.fromState)}」→「${this.stateTitle(def, e.toState)}」`
            : '',
        // What the engine computed into the payload (e.g. the round found) is its own working, not what the person sent.
        items: isStart
          ? []
          : Object.entries(payload)
              .filter(([k]) => !event?.compute.some((c) => c.field === k) && !(opinion !== undefined && k === OPINION_FIELD))
              .map(([k, v]) => ({ label: schema.properties?.[k]?.title ?? labels[k] ?? k, value: this.display(v) })),
      };
    });
  }
}
