/**
 * Issue 12 item 5, over real HTTP on both databases: "the one who asked may not decide" is a
 * declared property of a decision event (`notBy:` in the YAML), checked by the engine against
 * who sent the earlier event — here a user holding both cs_supervisor and manager cannot
 * approve or return the survey plan they submitted; another manager can.
 */
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';

describe.each(DRIVERS)('self-decision on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-03-02T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};
  const { call, send } = apiAs(() => h, auth);

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    auth.dual = { Authorization: `Bearer ${await h.user('dual', ['cs_supervisor', 'manager'])}` };
    auth.mg = { Authorization: `Bearer ${await h.user('mg', ['manager'])}` };
  });
  afterAll(() => h.close());

  it('refuses the submitter of a plan as its approver, in Chinese, and lets another manager decide', async () => {
    const round = (
      await call('post', 'dual', '/survey/rounds', { project: '翠湖花园一期', serviceCenter: '翠湖花园客户服务中心', batch: '2026-03', stage: '稳定期' })
    ).body;
    await send('dual', round.id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1, sampleSize: 100 });
    for (const type of ['approvePlan', 'returnPlan']) {
      const refused = await send('dual', round.id, type, type === 'returnPlan' ? { reason: '样本量不足' } : {}, [409]);
      expect([type, refused.code, refused.userMessage]).toEqual([type, 'GUARD_REJECTED', '不能审批本人提交的申请']);
    }
    const trail = (await call('get', 'mg', `/instances/${round.id}/audit`)).body.items as { eventType: string }[];
    expect(trail.map((e) => e.eventType)).toEqual(['$start', 'submitPlan']);
    expect((await send('mg', round.id, 'approvePlan')).state).toBe('roster');
  });
});
