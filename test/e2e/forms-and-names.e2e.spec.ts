/**
 * Forms over real HTTP on both databases (issue 12, item 8): the 服务投诉单 carries the
 * complainant's contact and the deadlines the dispatch armed, the 顾客投诉记录 its reply
 * deadline; forms and the complaint time line print people's display names, not login ids;
 * a manager's 经理服务卡 is printed from the user record.
 */
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { apiAs, PASSWORD, startHarness, type Harness } from '../support/http-harness';

describe.each(DRIVERS)('forms and people’s names on %s', (driver) => {
  let h: Harness;
  // Monday 2 March 2026, 10:00 in Shanghai.
  const clock = new ManualClock(new Date('2026-03-02T02:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};
  const { call, send } = apiAs(() => h, auth);

  /** A user with a display name (as `wf user add LOGIN --name 张三` creates), signed in over HTTP. */
  async function person(login: string, roles: string[], displayName?: string, attributes?: Record<string, string>) {
    await h.engine.auth.addUser({ username: login, password: PASSWORD, roles, displayName, attributes });
    const res = await h.http.post('/auth/token').send({ username: login, password: PASSWORD }).expect(200);
    auth[login] = { Authorization: `Bearer ${res.body.token}` };
  }

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    await person('ca', ['cs_assistant'], '王小燕');
    await person('cs', ['cs_supervisor'], '诸葛明月');
    await person('eng', ['dept_head'], '司马长风', { department: '工程部' });
    await person('lead', ['project_head'], '东方明辉');
    await person('po', ['process_owner']);
    await person('mgr', ['manager'], '上官云飞', {
      title: '服务中心经理',
      phone: '0755-26881234',
      mobile: '13900139000',
      email: 'shangguan@example.com',
      serviceCenter: '碧海蓝天花园管理处',
      project: '碧海蓝天花园二期',
    });
    await person('nameless', ['manager']);
  });
  afterAll(() => h.close());

  async function documentHtml(user: string, id: string, template: string, nth = 0): Promise<string> {
    const docs = (await call('get', user, `/instances/${id}/documents`)).body.items as { id: string; template: string }[];
    const doc = docs.filter((d) => d.template === template)[nth];
    expect(doc).toBeDefined();
    return (await call('get', user, `/documents/${doc.id}`)).text;
  }

  it('prints the contact and the deadlines on the 服务投诉单, and the reply deadline on the 顾客投诉记录 at dispatch', async () => {
    const { body } = await call('post', 'ca', '/instances', {
      definition: 'complaint',
      businessKey: 'TS-FORM-1',
      context: {
        receivedAt: clock.now().toISOString(),
        complainant: '欧阳雪梅',
        unit: '12栋B单元2806室',
        contact: '13800138000',
        channel: '来电/传真',
        content: '地下车库渗水',
      },
    });
    await send('ca', body.id, 'classify', { valid: true, category: '设备设施', severity: '一般' });
    await send('cs', body.id, 'dispatch', { department: '工程部' });
    const timers = (await call('get', 'ca', `/instances/${body.id}/timers`)).body.items as { eventType: string; dueAt: string }[];
    expect(timers.map((t) => t.eventType).sort()).toEqual(['contactOverdue', 'replyOverdue']);

    const slip = await documentHtml('eng', body.id, 'service-complaint-slip');
    // Both copies: the department must 迅速上门与投诉人联系 (003 四.(八).2).
    expect(slip.match(/<th>联系方式<\/th><td colspan="3">13800138000<\/td>/g)).toHaveLength(2);
    expect(slip.match(/<th>联系投诉人<\/th><td>当天，2026年3月2日 \d\d:\d\d前<\/td>/g)).toHaveLength(2);
    // Three working days from Monday 2 March 2026 (official calendar data: not provisional).
    expect(slip.match(/<th>回单时限<\/th><td>2026年3月5日 \d\d:\d\d<\/td>/g)).toHaveLength(2);

    const record = await documentHtml('ca', body.id, 'complaint-record', 1);
    expect(record).toMatch(/<th>回单时限<\/th><td>2026年3月5日 \d\d:\d\d<\/td>/);
    expect(record).toContain('13800138000');
  });

  it('shows people by their display names on the complaint time line', async () => {
    const { body } = await call('post', 'ca', '/instances', {
      definition: 'complaint',
      businessKey: 'TS-FORM-2',
      context: { receivedAt: clock.now().toISOString(), complainant: '孙先生', unit: '6栋601', contact: '13300000000', channel: '来访', content: '水压不足' },
    });
    await send('ca', body.id, 'classify', { valid: true, category: '设备设施', severity: '一般' });
    await send('cs', body.id, 'dispatch', { department: '工程部' });
    await send('eng', body.id, 'recordContact', { note: '已上门' });
    const items = (await call('get', 'cs', `/complaints/${body.id}/timeline`)).body.items as string[];
    const text = items.join('\n');
    for (const name of ['王小燕', '诸葛明月', '司马长风']) expect(text).toContain(name);
    expect(text).not.toMatch(/\s(ca|cs|eng)\s/);
  });

  it('prints the applicant’s name, not the login id, on the 附件二 pause application', async () => {
    const start = new Date(clock.now().getTime() + 86_400_000);
    const { body } = await call('post', 'lead', '/instances', {
      definition: 'pause-request',
      businessKey: 'PA-FORM-1',
      context: {
        requestNo: 'PA-FORM-1',
        project: '碧海蓝天花园二期',
        reason: '台风“海葵”造成小区严重受损',
        impact: '业主临时安置，无法正常入户调研',
        startsAt: start.toISOString(),
        endsAt: new Date(start.getTime() + 10 * 86_400_000).toISOString(),
      },
    });
    await send('lead', body.id, 'submit');
    const form = await documentHtml('lead', body.id, 'pause-application');
    expect(form).toMatch(/<th>申请人（项目负责人）<\/th><td>东方明辉<\/td>/);
    // The login id stays where an id is meant: who started the case and sent the event.
    const trail = (await call('get', 'lead', `/instances/${body.id}/audit`)).body.items as { actor: string }[];
    expect(trail.map((e) => e.actor)).toEqual(['lead', 'lead']);
  });

  it('prints a manager’s 经理服务卡 from the user record, for the manager or a process owner', async () => {
    const own = await call('get', 'mgr', '/users/mgr/service-card');
    expect(own.headers['content-type']).toMatch(/^text\/html/);
    expect(own.headers['content-security-policy']).toContain("default-src 'none'");
    for (const s of ['经理服务卡', '上官云飞', '服务中心经理', '0755-26881234', '13900139000', 'shangguan@example.com', '碧海蓝天花园管理处'])
      expect(own.text).toContain(s);
    expect(own.text).not.toContain('打印时间');
    expect((await call('get', 'po', '/users/mgr/service-card')).text).toContain('上官云飞');
    expect((await call('get', 'ca', '/users/mgr/service-card', undefined, [403])).status).toBe(403);
    expect((await call('get', 'po', '/users/nobody/service-card', undefined, [404])).status).toBe(404);
    // A card must name the person: a user without a display name is told how to give one.
    const nameless = await call('get', 'po', '/users/nameless/service-card', undefined, [400]);
    expect(nameless.text).toContain('--name');
  });
});
