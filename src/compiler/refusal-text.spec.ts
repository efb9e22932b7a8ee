import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefinition } from '../definitions/definition-loader';
import type { ProcessDefinition } from '../definitions/definition.types';
import {
  contextInvalidText,
  noConditionText,
  notAcceptedText,
  notYourRoleText,
  onlyThroughServiceText,
  payloadInvalidText,
  startRefusalText,
} from './refusal-text';

function load(path: string): ProcessDefinition {
  const result = loadDefinition(readFileSync(path, 'utf8'), { file: path });
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return result.definition;
}

const complaint = load(join(__dirname, '../../definitions/complaint.yaml'));
const classify = complaint.states.registered.on.classify;

describe('refusal texts for people, from the definition’s titles', () => {
  it('says where an event belongs, where the case is, and what can be done now', () => {
    const accepted = Object.values(complaint.states.classified.on);
    expect(notAcceptedText({ def: complaint, state: 'classified', type: 'classify', accepted })).toBe(
      '「分类（有效/无效）」只能在「已登记（顾客投诉记录）」时办理，该客户投诉现在处于「已分类，待派单」；现在可以办理的是「派单（服务投诉单）」。请刷新页面查看最新状态后再操作。',
    );
  });

  it('names the roles that may act by their titles, and leaves the engine’s own role out', () => {
    expect(notYourRoleText({ def: complaint, event: classify })).toBe(
      '只有客服助理、客户服务主任可以办理「分类（有效/无效）」；您的账号没有相应角色，请由有权限的同事办理，或联系管理员开通。',
    );
    expect(notYourRoleText({ def: complaint, event: { ...classify, roles: ['system'] } })).toBe('「分类（有效/无效）」由系统自动办理，不能手工操作。');
    expect(startRefusalText(complaint)).toBe('只有客服助理、客户服务主任可以发起客户投诉；您的账号没有相应角色，请由有权限的同事发起，或联系管理员开通。');
  });

  it('translates each validation problem and names the field by its title (else the context field’s of that name, else its name)', () => {
    expect(
      payloadInvalidText({
        def: complaint,
        event: classify,
        errors: [
          { path: '$.valid', message: 'must be boolean' },
          { path: '$.reason', message: 'must NOT have fewer than 1 characters' },
          { path: '$.colour', message: 'is not an allowed field' },
        ],
      }),
    ).toBe('「分类（有效/无效）」填写的内容不符合要求：「是否有效投诉」应填写是或否；「无效原因」不能为空；「colour」不是此项可填写的内容。请修改后重新提交。');
    expect(
      contextInvalidText({
        def: complaint,
        errors: [
          { path: '$.content', message: 'is required' },
          { path: '$.channel', message: 'must be one of: "来访", "来电/传真"' },
        ],
      }),
    ).toBe('客户投诉的资料不符合要求：缺少「投诉内容」；「投诉渠道」须为以下之一：来访、来电/传真。请修改后重新提交。');
  });

  it('says the service page is the way in, and what to check when no condition holds', () => {
    expect(onlyThroughServiceText({ def: complaint, event: { ...classify, via: 'service' } })).toBe(
      '「分类（有效/无效）」须在客户投诉的相应页面中办理（系统同时记录所需资料），不能作为一般操作直接提交。',
    );
    expect(noConditionText({ def: complaint, event: classify })).toBe(
      '不满足「分类（有效/无效）」的办理条件，未能办理。请核对填写的内容和该客户投诉的当前情况后再试。',
    );
  });
});
