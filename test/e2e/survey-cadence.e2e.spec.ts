/**
 * Issue 12 item 10, end to end over real HTTP on both databases: the survey cadence and the
 * yearly coverage of the source documents.
 *
 * - A schedule per project at the cadence the process owner sets (half-yearly in 000 / 003
 *   四.(二).1, quarterly in 001) starts a round for each project listed in the rules.
 * - Ad hoc rounds (003 四.(二).2–3): within 3 months after a new service item starts, or after
 *   a major service failure for the affected group, started with their reason and group recorded.
 * - The yearly coverage (002 4.1: at least 40% of all customers surveyed per year) is checked
 *   across the project's rounds of the year and shown in the plan (its data and its document),
 *   with a warning, or a refusal when the process owner's rule says so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock';
import { DRIVERS, REPO_ROOT } from '../support/databases';
import { apiAs, PASSWORD, startHarness, type Harness } from '../support/http-harness';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';

const BUNDLED = readFileSync(join(REPO_ROOT, 'definitions', 'survey-round.yaml'), 'utf8');

/** The bundled survey round with some rule values replaced, as a process owner would edit it. */
function tuned(rules: Record<string, string>): string {
  let text = BUNDLED;
  for (const [name, value] of Object.entries(rules)) {
    const re = new RegExp(`(\\n  ${name}:\\n(?:    (?!value:).*\\n)*)    value: .*\\n`);
    if (!re.test(text)) throw new Error(`rule ${name} not found in survey-round.yaml`);
    text = text.replace(re, `$1    value: ${value}\n`);
  }
  return text;
}

describe.each(DRIVERS)('survey cadence, ad hoc rounds and yearly coverage on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-01-05T10:00:00+08:00'));
  const auth: Record<string, { Authorization: string }> = {};
  const { call, send } = apiAs(() => h, auth);

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    await h.engine.worker.schedules.sync();
    for (const [name, roles] of Object.entries({ cs: ['cs_supervisor'], ca: ['cs_assistant'], mg: ['manager'], au: ['auditor'], po: ['process_owner'] })) {
      auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
    }
  }, 60_000);
  afterAll(() => h.close());

  async function upload(text: string) {
    const res = await h.http.post('/definitions').set(auth.po).set('Content-Type', 'application/yaml').send(text);
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const roundsOf = async (project: string) =>
    (
      (await call('get', 'au', '/instances?definition=survey-round')).body.items as { id: string; businessKey: string; createdBy: string; state: string }[]
    ).filter((i) => i.businessKey.startsWith(`SR-${project}-`));
  /** Moves the clock and signs everyone in again (tokens last 30 days). */
  async function setClock(at: string) {
    clock.set(at);
    for (const name of Object.keys(auth)) {
      const res = await h.http.post('/auth/token').send({ username: name, password: PASSWORD }).expect(200);
      auth[name] = { Authorization: `Bearer ${res.body.token}` };
    }
  }
  async function runAt(at: string) {
    await setClock(at);
    await h.engine.runDueWork();
  }

  describe('cadence', () => {
    it('the bundled round is half-yearly by a rule, for the projects the rule lists (none until the process owner lists them)', async () => {
      const def = (await call('get', 'au', '/definitions/survey-round')).body;
      const text = JSON.stringify(def);
      expect(text).toContain('half year on day 1 at 09:00');
      expect(text).toContain('surveyedProjects');
    });

    it('a quarterly cadence set by the process owner starts one round per listed project on day 1 of each quarter, and nothing between', async () => {
      await setClock('2026-03-20T10:00:00+08:00');
      await upload(
        tuned({
          surveyCadence: 'quarter on day 1 at 09:00',
          regularStage: '季度',
          surveyedProjects: '[{ project: 枫林苑, serviceCenter: 枫林苑客户服务中心 }, { project: 枫林苑二期, serviceCenter: 枫林苑客户服务中心 }]',
        }),
      );
      await runAt('2026-04-01T08:59:00+08:00');
      expect(await roundsOf('枫林苑')).toEqual([]);
      await runAt('2026-04-01T09:00:00+08:00');
      const april = [...(await roundsOf('枫林苑')), ...(await roundsOf('枫林苑二期'))];
      expect(april.map((r) => r.businessKey).sort()).toEqual(['SR-枫林苑-2026-04-季度', 'SR-枫林苑二期-2026-04-季度']);
      for (const r of april) expect(r).toMatchObject({ createdBy: 'system', state: 'planning' });
      const one = (await call('get', 'au', `/instances/${april[0].id}`)).body;
      expect(one.context).toMatchObject({ serviceCenter: '枫林苑客户服务中心', batch: '2026-04', stage: '季度', occasion: { kind: '定期' } });
      // The round waits for the CS supervisor's plan: it is their task.
      const tasks = (await call('get', 'cs', '/tasks?definition=survey-round')).body.items as { instance: { id: string }; events: { type: string }[] }[];
      const mine = tasks.filter((t) => april.some((r) => r.id === t.instance.id));
      expect(mine).toHaveLength(2);
      for (const t of mine) expect(t.events.map((e) => e.type)).toContain('submitPlan');
      // And they are reminded in their inbox.
      const inbox = ((await call('get', 'cs', '/inbox')).body.items as { instanceId: string; message: string }[]).filter((i) => i.instanceId === one.id);
      expect(inbox.map((i) => i.message)).toEqual([`定期满意度调查批次已开启，请编制调研计划并提交经理批准：${one.context.project} 2026-04 季度`]);

      await runAt('2026-05-01T09:00:00+08:00');
      await runAt('2026-06-01T09:00:00+08:00');
      expect(await roundsOf('枫林苑')).toHaveLength(1);
      await runAt('2026-07-01T09:00:00+08:00');
      expect((await roundsOf('枫林苑')).map((r) => r.businessKey).sort()).toEqual(['SR-枫林苑-2026-04-季度', 'SR-枫林苑-2026-07-季度']);
    });
  });

  describe('ad hoc rounds (003 四.(二).2–3)', () => {
    beforeAll(() => setClock('2026-08-10T10:00:00+08:00'));

    it('a round for a new service item records the item and its start, and is refused more than 3 months after it started', async () => {
      const base = { project: '松涛园', serviceCenter: '松涛园客户服务中心', stage: '专项' };
      const fresh = (
        await call('post', 'cs', '/survey/rounds', {
          ...base,
          batch: '2026-08',
          occasion: { kind: '新服务项目', serviceItem: '社区食堂', serviceStartedOn: '2026-06-01', reason: '社区食堂开业两个月，了解业主意见' },
        })
      ).body;
      expect(fresh.context.occasion).toEqual({
        kind: '新服务项目',
        serviceItem: '社区食堂',
        serviceStartedOn: '2026-06-01',
        reason: '社区食堂开业两个月，了解业主意见',
      });
      expect((await send('cs', fresh.id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 })).state).toBe('planReview');

      const late = (
        await call('post', 'cs', '/survey/rounds', {
          ...base,
          batch: '2026-08',
          businessKey: 'SR-松涛园-2026-08-专项-2',
          occasion: { kind: '新服务项目', serviceItem: '上门家政', serviceStartedOn: '2026-04-30', reason: '家政服务' },
        })
      ).body;
      const refused = await send('cs', late.id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 }, [409]);
      expect(refused.userMessage ?? refused.message).toContain('3个月');
      expect(refused.userMessage ?? refused.message).toContain('2026年4月30日');
    });

    it('a round after a major service failure needs the affected group and the reason, and records them', async () => {
      const base = { project: '松涛园', serviceCenter: '松涛园客户服务中心', stage: '专项', batch: '2026-08' };
      const noGroup = await call(
        'post',
        'cs',
        '/survey/rounds',
        { ...base, businessKey: 'SR-松涛园-2026-08-专项-3', occasion: { kind: '重大服务质量问题', reason: '8月3日停水一天' } },
        [400, 422],
      );
      expect(JSON.stringify(noGroup.body)).toContain('targetGroup');
      const round = (
        await call('post', 'cs', '/survey/rounds', {
          ...base,
          businessKey: 'SR-松涛园-2026-08-专项-4',
          occasion: { kind: '重大服务质量问题', reason: '8月3日停水一天', targetGroup: '3栋、5栋全体住户' },
        })
      ).body;
      expect(round.context.occasion).toMatchObject({ kind: '重大服务质量问题', targetGroup: '3栋、5栋全体住户', reason: '8月3日停水一天' });
      const trail = (await call('get', 'au', `/instances/${round.id}/audit`)).body.items;
      expect(JSON.stringify(trail[0])).toContain('3栋、5栋全体住户');
    });
  });

  describe('yearly coverage (002 4.1)', () => {
    const PROJECT = '云栖苑';
    const base = { project: PROJECT, serviceCenter: '云栖苑客户服务中心', stage: '稳定期' };
    const roster = Buffer.from(rosterCsv(rosterRows(1000), { bom: true }), 'utf8');

    it("shows the year's coverage in the plan across the project's rounds, warns below 40%, and refuses when the rule says so", async () => {
      await setClock('2027-03-02T10:00:00+08:00');
      // March 2027: the first round of the year; 200 of the 1,000 households are sampled.
      const march = (await call('post', 'cs', '/survey/rounds', { ...base, batch: '2027-03' })).body;
      const planned = await send('cs', march.id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1, sampleSize: 200 });
      expect(planned.context.plan.coverage).toMatchObject({ year: '2027', customers: null, shortfall: false });
      await send('mg', march.id, 'approvePlan');
      await h.http.put(`/survey/rounds/${march.id}/roster`).set(auth.ca).set('Content-Type', 'text/csv').send(roster).expect(200);
      await send('cs', march.id, 'freezeRoster');
      const sampled = (await call('post', 'cs', `/survey/rounds/${march.id}/sample`)).body;
      expect(sampled.context.sample.size).toBe(200);

      // September 2027: 180 more would make 38% of the year: shown and warned in the plan and its document.
      await setClock('2027-09-01T10:00:00+08:00');
      const sept = (await call('post', 'cs', '/survey/rounds', { ...base, batch: '2027-09' })).body;
      const warned = await send('cs', sept.id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1, sampleSize: 180 });
      expect(warned.state).toBe('planReview');
      expect(warned.context.plan.coverage).toMatchObject({
        year: '2027',
        customers: 1000,
        surveyedBefore: 200,
        planned: 180,
        covered: 380,
        share: 0.38,
        minimum: 0.4,
        shortfall: true,
        rounds: [`SR-${PROJECT}-2027-03-稳定期`],
      });
      expect(warned.context.plan.coverage.message).toBe(
        '本年度调查覆盖率 38.0%（已调查 200 户，本次计划 180 户，客户总数 1000 户），低于每年至少 40% 的要求（002 4.1），尚差 20 户',
      );
      const docs = (await call('get', 'au', `/instances/${sept.id}/documents`)).body.items as { template: string; id: string }[];
      const planDoc = docs.find((d) => d.template === 'survey-plan');
      expect(planDoc).toBeDefined();
      const html = (await h.http.get(`/documents/${planDoc!.id}`).set(auth.au)).text;
      expect(html).toContain('调研计划');
      expect(html).toContain('本年度调查覆盖率 38.0%');
      await send('mg', sept.id, 'returnPlan', { reason: '年度覆盖不足，请增加样本' });

      // The process owner makes a shortfall a refusal: the last round of the year may not fall short.
      await upload(tuned({ yearlyCoverage: '{ minimum: 0.4, onShortfall: refuse, decideFromMonth: 7 }' }));
      const sept2 = (await call('post', 'cs', '/survey/rounds', { ...base, batch: '2027-09', businessKey: `SR-${PROJECT}-2027-09-稳定期-2` })).body;
      const refused = await send('cs', sept2.id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1, sampleSize: 180 }, [409]);
      expect(refused.userMessage ?? refused.message).toContain('低于每年至少 40% 的要求');
      const met = await send('cs', sept2.id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1, sampleSize: 200 });
      expect(met.context.plan.coverage).toMatchObject({ covered: 400, share: 0.4, shortfall: false });
    });
  });
});
