/**
 * Issue 12 item 6, over real HTTP on both databases: a department head acts only on complaints
 * dispatched to their own department — on every department step (record contact, explain a
 * delay, mark long-term, resume, reply), not only the reply; CS staff act on every complaint.
 */
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';

describe.each(DRIVERS)('department steps of a complaint on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-03-02T02:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};
  const { call, send } = apiAs(() => h, auth);

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    auth.ca = { Authorization: `Bearer ${await h.user('ca', ['cs_assistant'])}` };
    auth.cs = { Authorization: `Bearer ${await h.user('cs', ['cs_supervisor'])}` };
    auth.eng = { Authorization: `Bearer ${await h.user('eng', ['dept_head'], { department: '工程部' })}` };
    auth.sec = { Authorization: `Bearer ${await h.user('sec', ['dept_head'], { department: '保安部' })}` };
    auth.none = { Authorization: `Bearer ${await h.user('none', ['dept_head'])}` };
  });
  afterAll(() => h.close());

  async function dispatched(key: string): Promise<string> {
    const { body } = await call('post', 'ca', '/instances', {
      definition: 'complaint',
      businessKey: key,
      context: {
        receivedAt: clock.now().toISOString(),
        complainant: '孙先生',
        unit: '6栋601',
        contact: '13300000000',
        channel: '来电/传真',
        content: '水压不足',
      },
    });
    await send('ca', body.id, 'classify', { valid: true, category: '设备设施', severity: '一般' });
    await send('cs', body.id, 'dispatch', { department: '工程部' });
    return body.id;
  }

  it('refuses another department head on every department step, in Chinese, and lets the right one act', async () => {
    const id = await dispatched('TS-DEPT-1');
    const refusal = '该投诉已派往工程部，只有该部门负责人或客户服务中心可以办理';
    for (const who of ['sec', 'none']) {
      for (const [type, payload] of [
        ['recordContact', { note: '已联系' }],
        ['explainDelay', { explanation: '配件未到' }],
        ['markLongTerm', { reason: '需改管' }],
      ] as const) {
        const res = await send(who, id, type, payload, [409]);
        expect([who, type, res.code, res.userMessage]).toEqual([who, type, 'GUARD_REJECTED', refusal]);
      }
    }
    const trail = (await call('get', 'cs', `/instances/${id}/audit`)).body.items as { eventType: string }[];
    expect(trail.map((e) => e.eventType)).toEqual(['$start', 'classify', 'dispatch']);

    await send('ca', id, 'recordContact', { note: '已电话联系' });
    await send('eng', id, 'markLongTerm', { reason: '需更换主管道' });
    await send('cs', id, 'explainToCustomer', { explanation: '需更换主管道，预计月底完成', expectedBy: '2026-04-30' });
    expect((await send('sec', id, 'resumeHandling', {}, [409])).code).toBe('GUARD_REJECTED');
    expect((await send('eng', id, 'resumeHandling')).state).toBe('delayExplained');
  });

  it('still lets CS staff explain a delay on any complaint', async () => {
    const id = await dispatched('TS-DEPT-2');
    expect((await send('cs', id, 'explainDelay', { explanation: '已与部门确认，配件下周到' })).state).toBe('delayExplained');
  });
});
