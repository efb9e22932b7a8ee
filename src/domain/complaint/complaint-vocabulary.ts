/**
 * The words of the complaint process (`definitions/complaint.yaml`) that the domain functions
 * need: channels, categories, states, event titles and role titles.
 *
 * `COMPLAINT_VOCABULARY` is a copy of what complaint.yaml says today, so the pure functions run
 * without loading YAML; its spec checks it against the loaded definition
 * (`complaintVocabularyFrom`), so a renamed state or a retitled event fails a test instead of
 * silently printing stale words. Callers that load the definition anyway (the engine, a report
 * job) can pass `complaintVocabularyFrom({ definition })` to follow tuned rules.
 */
import type { ProcessDefinition } from '../../definitions/definition.types';

export interface ComplaintVocabulary {
  /** 投诉渠道, in the order of the `channel` enum. */
  readonly channels: readonly string[];
  /** 投诉类别 (`rules.categories`). */
  readonly categories: readonly string[];
  /** 严重程度 (`rules.severities`). */
  readonly severities: readonly string[];
  /** 责任部门 (`rules.departments`). */
  readonly departments: readonly string[];
  /** State name → title (`已结案`). */
  readonly stateTitles: Readonly<Record<string, string>>;
  /** Inner state name → the compound state around it (`inProgress` → `handling`). */
  readonly stateParents: Readonly<Record<string, string>>;
  /** `<declaring state>.<event>` → the event's title in that state (`handling.reply` → `回单（处理方式与结果）`). */
  readonly eventTitles: Readonly<Record<string, string>>;
  /** Role name → title (`dept_head` → `部门负责人`). */
  readonly roleTitles: Readonly<Record<string, string>>;
}

/** The event type the engine records for the start of an instance (`instance.service.ts` START_EVENT). */
export const START_EVENT = '$start';

/** The states inside `handling` (部门处理中): a complaint waiting for its department's reply. */
export const HANDLING_STATE = 'handling';

export const COMPLAINT_VOCABULARY: ComplaintVocabulary = {
  channels: ['来访', '来函/投诉箱', '来电/传真', '其他部门转交', '调研意见'],
  categories: ['设备设施', '管理服务', '收费', '突发事件'],
  severities: ['一般', '较大', '重大'],
  departments: ['工程部', '保安部', '保洁部', '绿化部', '客户服务中心', '财务部'],
  stateTitles: {
    registered: '已登记（顾客投诉记录）',
    classified: '已分类，待派单',
    handling: '部门处理中',
    inProgress: '处理中（回单时限内）',
    delayExplained: '已说明延误，处理中',
    overdue: '超过回单时限，已上报经理',
    longTermPending: '长期问题，待向顾客解释',
    longTermFollowUp: '长期问题跟进中',
    returnVisit: '已回单，待回访',
    closed: '已结案',
    archived: '已归档',
    invalid: '无效投诉（已关闭）',
  },
  stateParents: {
    inProgress: 'handling',
    delayExplained: 'handling',
    overdue: 'handling',
    longTermPending: 'handling',
    longTermFollowUp: 'handling',
  },
  eventTitles: {
    'registered.classify': '分类（有效/无效）',
    'classified.dispatch': '派单（服务投诉单）',
    'handling.recordContact': '记录已联系投诉人（当天）',
    'handling.contactOverdue': '当天未联系投诉人（系统）',
    'handling.replyOverdue': '超过回单时限且未说明原因（系统）',
    'handling.markLongTerm': '列为短期内无法解决的问题',
    'handling.reply': '回单（处理方式与结果）',
    'inProgress.explainDelay': '记录延误说明（须在回单时限前）',
    'delayExplained.replyOverdue': '回单时限届满（已说明延误，不上报）',
    'longTermPending.replyOverdue': '回单时限届满（长期问题，不上报）',
    'longTermPending.explainToCustomer': '已向顾客解释并告知预计期限',
    'longTermFollowUp.replyOverdue': '回单时限届满（长期问题，不上报）',
    'longTermFollowUp.longTermDue': '长期问题到达预计期限（系统提醒）',
    'longTermFollowUp.resumeHandling': '恢复正常处理',
    'returnVisit.recordReturnVisit': '回访',
    'closed.tagTrainingCase': '列为培训案例',
    'closed.archive': '归档',
  },
  roleTitles: {
    cs_assistant: '客服助理',
    cs_supervisor: '客户服务主任',
    dept_head: '部门负责人',
    manager: '服务中心经理',
    system: '系统',
  },
};

/**
 * The vocabulary of a loaded complaint definition: rules, the channel enum, state, event and
 * role titles. Missing rules fall back to `COMPLAINT_VOCABULARY`.
 */
export function complaintVocabularyFrom({ definition }: { definition: ProcessDefinition }): ComplaintVocabulary {
  const list = (name: string, fallback: readonly string[]): readonly string[] => {
    const v = definition.ruleValues[name];
    return Array.isArray(v) ? v.map(String) : fallback;
  };
  const props = (definition.contextSchema as { properties?: Record<string, { enum?: unknown[] }> }).properties ?? {};
  const stateTitles: Record<string, string> = {};
  const stateParents: Record<string, string> = {};
  const eventTitles: Record<string, string> = {};
  for (const [name, state] of Object.entries(definition.states)) {
    if (state.title) stateTitles[name] = state.title;
    if (state.parent) stateParents[name] = state.parent;
    for (const [event, def] of Object.entries(state.on)) {
      if (def.title) eventTitles[`${name}.${event}`] = def.title;
    }
  }
  const roleTitles: Record<string, string> = { system: '系统' };
  for (const [name, role] of Object.entries(definition.roles)) roleTitles[name] = role.title ?? name;
  return {
    channels: props.channel?.enum?.map(String) ?? COMPLAINT_VOCABULARY.channels,
    categories: list('categories', COMPLAINT_VOCABULARY.categories),
    severities: list('severities', COMPLAINT_VOCABULARY.severities),
    departments: list('departments', COMPLAINT_VOCABULARY.departments),
    stateTitles,
    stateParents,
    eventTitles,
    roleTitles,
  };
}

/** Whether a (leaf) state is `handling` or one of its inner states. */
export function isHandlingState({ state, vocabulary = COMPLAINT_VOCABULARY }: { state: string | null | undefined; vocabulary?: ComplaintVocabulary }): boolean {
  for (let s = state ?? undefined; s; s = vocabulary.stateParents[s]) if (s === HANDLING_STATE) return true;
  return false;
}

/**
 * The title of `event` as sent in `state`: the innermost declaration wins, as in the engine
 * (`replyOverdue` in `delayExplained` is 回单时限届满（已说明延误，不上报）). Undefined when no
 * state on the way up declares it with a title.
 */
export function eventTitle({
  event,
  state,
  vocabulary = COMPLAINT_VOCABULARY,
}: {
  event: string;
  state: string | null | undefined;
  vocabulary?: ComplaintVocabulary;
}): string | undefined {
  for (let s = state ?? undefined; s; s = vocabulary.stateParents[s]) {
    const title = vocabulary.eventTitles[`${s}.${event}`];
    if (title !== undefined) return title;
  }
  return undefined;
}
