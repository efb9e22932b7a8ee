/**
 * The engine's refusals in the words of the person in front of the screen (`userMessage`):
 * plain Chinese built from what the definition itself calls things (the `title:` of the
 * process, its states, events, roles and payload fields), saying what was refused and what to
 * do instead. Pure: the same definition and refusal always give the same text. The English
 * `message` for developers is written beside each throw and names the YAML's keys instead.
 *
 * A name without a title falls back to the key the YAML uses, so a process owner who leaves a
 * title out sees the key in the message and knows where to add one.
 */
import { SYSTEM_ROLE } from '../definitions/definition-build-context';
import type { EventDefinition, JsonSchema, PayloadValidationError, ProcessDefinition } from '../definitions/definition.types';

/** `「title」` of a state (its name when untitled). */
function stateName(def: ProcessDefinition, state: string): string {
  return `「${def.states[state]?.title ?? state}」`;
}

/**
 * `「title」` of an event: the declaration's own title when the refusal is about one (the same
 * type may be titled differently in different states), else the first state's that declares it.
 */
export function eventName(def: ProcessDefinition, type: string, event?: EventDefinition): string {
  const title =
    event?.title ??
    Object.values(def.states)
      .map((s) => s.on[type]?.title)
      .find((t) => t !== undefined);
  return `「${title ?? type}」`;
}

/** The people's roles (the engine's own `system` is not a person), by title. */
function peopleRoles(roles: readonly string[]): string[] {
  return roles.filter((r) => r !== SYSTEM_ROLE);
}

function roleNames(def: ProcessDefinition, roles: readonly string[]): string {
  return roles.map((r) => def.roles[r]?.title ?? r).join('、');
}

/** `该客户投诉`: how a message names the case. */
function theCase(def: ProcessDefinition): string {
  return `该${def.title}`;
}

/** The states (by title) that declare the event, joined with 或. */
function declaringStates(def: ProcessDefinition, type: string): string {
  return [...new Set(Object.values(def.states).flatMap((s) => (s.on[type] ? [stateName(def, s.name)] : [])))].join('或');
}

/**
 * The event is not accepted in the case's current state: which state it belongs to, which
 * state the case is in, and to look at the case again (someone else may have moved it on).
 * `hint` (Chinese) adds what the caller knows about why.
 */
export function notAcceptedText({
  def,
  state,
  type,
  hint,
  accepted = [],
}: {
  def: ProcessDefinition;
  state: string;
  type: string;
  hint?: string;
  /** The events the current state accepts: those people may send are named as what can be done now. */
  accepted?: readonly EventDefinition[];
}): string {
  const where = declaringStates(def, type);
  const head = where ? `${eventName(def, type)}只能在${where}时办理，` : `${eventName(def, type)}不能在此办理，`;
  const now = accepted.filter((e) => e.via !== 'service' && peopleRoles(e.roles).length > 0).map((e) => eventName(def, e.type, e));
  const canDo = now.length > 0 ? `；现在可以办理的是${[...new Set(now)].join('、')}` : '';
  return `${head}${theCase(def)}现在处于${stateName(def, state)}${hint ? `（${hint}）` : ''}${canDo}。请刷新页面查看最新状态后再操作。`;
}

/** None of the person's roles may send the event: who may, and whom to ask. */
export function notYourRoleText({ def, event }: { def: ProcessDefinition; event: EventDefinition }): string {
  const people = peopleRoles(event.roles);
  if (people.length === 0) return `${eventName(def, event.type, event)}由系统自动办理，不能手工操作。`;
  return `只有${roleNames(def, people)}可以办理${eventName(def, event.type, event)}；您的账号没有相应角色，请由有权限的同事办理，或联系管理员开通。`;
}

/** Declared `via: service`: the page of the process is the way in. */
export function onlyThroughServiceText({ def, event }: { def: ProcessDefinition; event: EventDefinition }): string {
  return `${eventName(def, event.type, event)}须在${def.title}的相应页面中办理（系统同时记录所需资料），不能作为一般操作直接提交。`;
}

/** A branch guard refused and the owner wrote no `reject:` text. */
export function noConditionText({ def, event }: { def: ProcessDefinition; event: EventDefinition }): string {
  return `不满足${eventName(def, event.type, event)}的办理条件，未能办理。请核对填写的内容和${theCase(def)}的当前情况后再试。`;
}

/** The payload breaks the event's form: each problem by its field's title. */
export function payloadInvalidText({
  def,
  event,
  errors,
}: {
  def: ProcessDefinition;
  event: EventDefinition;
  errors: readonly PayloadValidationError[];
}): string {
  return `${eventName(def, event.type, event)}填写的内容不符合要求：${problemsText(event.payloadSchema, errors, def.contextSchema)}。请修改后重新提交。`;
}

/** A decision with `opinion: required` sent without a written opinion. */
export function opinionRequiredText(def: ProcessDefinition, event: EventDefinition): string {
  return `${eventName(def, event.type, event)}需要填写「审批意见」（opinion）：请写明意见后重新提交。`;
}

/** The first few problems, by field title, and how many there are in all. */
function problemsText(schema: JsonSchema, errors: readonly PayloadValidationError[], fallback?: JsonSchema): string {
  const shown = [...new Set(errors.slice(0, 5).map((e) => problemText(schema, e, fallback)))];
  return `${shown.join('；')}${errors.length > 5 ? `等 ${errors.length} 处问题` : ''}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: '文字',
  number: '数字',
  integer: '整数',
  boolean: '是或否',
  array: '列表',
  object: '一组内容',
  null: '空值',
};

const FORMAT_NAMES: Record<string, string> = {
  'date-time': '日期和时间',
  date: '日期',
  time: '时间',
  email: '电子邮箱地址',
  uri: '网址',
};

/**
 * One validation problem in Chinese. The problems come from `toValidationErrors` (our own
 * phrasing for required, unknown and enum) and from ajv's English defaults for the rest, whose
 * wording is stable; anything else reads as "填写有误".
 */
function problemText(schema: JsonSchema, error: PayloadValidationError, fallback?: JsonSchema): string {
  const field = `「${fieldTitle(schema, error.path, fallback)}」`;
  const m = error.message;
  let r: RegExpExecArray | null;
  if (m === 'is required') return `缺少${field}`;
  if (m === 'is not an allowed field') return `${field}不是此项可填写的内容`;
  if ((r = /^must be one of: (.*)$/.exec(m))) return `${field}须为以下之一：${r[1].replace(/"/g, '').split(', ').join('、')}`;
  if ((r = /^must be (string|number|integer|boolean|array|object|null)\b/.exec(m))) return `${field}应填写${TYPE_NAMES[r[1]]}`;
  if ((r = /^must be equal to one of the allowed values$/.exec(m))) return `${field}不是可选的值`;
  if ((r = /^must NOT have fewer than (\d+) characters$/.exec(m))) return r[1] === '1' ? `${field}不能为空` : `${field}至少 ${r[1]} 个字`;
  if ((r = /^must NOT have more than (\d+) characters$/.exec(m))) return `${field}最多 ${r[1]} 个字`;
  if ((r = /^must NOT have fewer than (\d+) items$/.exec(m))) return `${field}至少填写 ${r[1]} 项`;
  if ((r = /^must NOT have more than (\d+) items$/.exec(m))) return `${field}最多填写 ${r[1]} 项`;
  if ((r = /^must be (>=|>|<=|<) (.+)$/.exec(m))) {
    const words: Record<string, string> = { '>=': '不能小于', '>': '须大于', '<=': '不能大于', '<': '须小于' };
    return `${field}${words[r[1]]} ${r[2]}`;
  }
  if ((r = /^must match format "(.+)"$/.exec(m))) return `${field}格式不正确${FORMAT_NAMES[r[1]] ? `，应为${FORMAT_NAMES[r[1]]}` : ''}`;
  if (/^must match pattern/.test(m)) return `${field}格式不正确`;
  if (/^must NOT have duplicate items/.test(m)) return `${field}中有重复的项`;
  return `${field}填写有误`;
}

/**
 * The `title:` of the field at a JSON path (`$.contact.phone`, `$.households[0].room`); else the
 * title of the field at the same path in `fallback` (a payload field that fills the context
 * field of the same name is titled there); else its name.
 */
function fieldTitle(schema: JsonSchema, path: string, fallback?: JsonSchema): string {
  const segments = [...path.matchAll(/\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)].map((m) => m[1] ?? m[2] ?? JSON.parse(`"${m[3]}"`));
  if (segments.length === 0) return typeof schema.title === 'string' ? schema.title : '填写的内容';
  let at: JsonSchema | undefined = schema;
  for (const s of segments) {
    if (!at) break;
    if (/^\d+$/.test(String(s))) at = at.items as JsonSchema | undefined;
    else at = (at.properties as Record<string, JsonSchema> | undefined)?.[s];
  }
  // A title's explanation in parentheses (e.g. how to upload first) is for the form, not the message.
  if (at && typeof at.title === 'string') return at.title.replace(/（.*$/, '') || at.title;
  if (fallback) {
    const other = fieldTitle(fallback, path);
    if (!segments.includes(other)) return other;
  }
  const last = [...segments].reverse().find((s) => !/^\d+$/.test(String(s)));
  return String(last ?? '填写的内容');
}

/** None of the person's roles may start a case of the process. */
export function startRefusalText(def: ProcessDefinition): string {
  const people = peopleRoles(def.startRoles);
  if (people.length === 0) return `${def.title}由系统或其他流程自动发起，不能手工发起。`;
  return `只有${roleNames(def, people)}可以发起${def.title}；您的账号没有相应角色，请由有权限的同事发起，或联系管理员开通。`;
}

/** The case's data (at start, or after an event) breaks the context schema: each problem by its field's title. */
export function contextInvalidText({ def, errors }: { def: ProcessDefinition; errors: readonly PayloadValidationError[] }): string {
  return `${def.title}的资料不符合要求：${problemsText(def.contextSchema, errors)}。请修改后重新提交。`;
}

/** A work item that names other people: the role acts only on cases it started or that name it. */
export function notYourCaseText(def: ProcessDefinition): string {
  return `这项${def.title}不由您经办：您的角色只能办理您本人发起或写明由您办理的事项，请由经办人办理。`;
}
