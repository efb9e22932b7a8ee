/**
 * Issue 5, end to end over real HTTP: a month of 300+ realistic complaints (every channel and
 * category, some invalid, some late, some with the delay explained, some reopened) runs on the
 * bundled complaint process with the real calendar and timers; the monthly report process
 * starts on day 1 by schedule, computes its figures from the stored complaints, and they match
 * an independent count made here from the scenario itself.
 */
import ExcelJS from 'exceljs';
import { ManualClock } from '../../src/common/clock';
import { BusinessCalendar } from '../../src/calendar/business-calendar';
import { DRIVERS } from '../support/databases';
import { startHarness, type Harness } from '../support/http-harness';

const CHANNELS = ['来访', '来函/投诉箱', '来电/传真', '其他部门转交', '调研意见'];
const CATEGORIES = ['设备设施', '管理服务', '收费', '突发事件'];
const DEPARTMENTS = ['工程部', '保安部', '保洁部', '绿化部'];
const COUNT = 320;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

type Plan = {
  i: number;
  receivedAt: Date;
  channel: string;
  category: string;
  department: string;
  valid: boolean;
  contact: boolean;
  replyAfterMs: number;
  explain: boolean;
  reopen: boolean;
};
type Step = { at: number; run: () => Promise<void> };

/** A deterministic pseudo-random sequence, so the month is the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe.each(DRIVERS)('a month of complaints on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-02-01T00:00:00.000Z'));
  const calendar = new BusinessCalendar();
  const tokens: Record<string, { token: string; at: number }> = {};
  const users: Record<string, string[]> = {
    ca: ['cs_assistant'],
    cs: ['cs_supervisor'],
    mg: ['manager'],
    au: ['auditor'],
  };
  /** One department head per department: only the department a complaint went to may reply. */
  const head = (department: string) => `dh${DEPARTMENTS.indexOf(department)}`;

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    await h.engine.worker.schedules.sync();
    for (const [name, roles] of Object.entries(users)) tokens[name] = { token: await h.user(name, roles), at: clock.now().getTime() };
    for (const department of DEPARTMENTS) {
      tokens[head(department)] = { token: await h.user(head(department), ['dept_head'], { department }), at: clock.now().getTime() };
    }
  });
  afterAll(() => h.close());

  /** Signs in again when the (manual) clock has moved far, as a person would each morning. */
  async function auth(name: string) {
    if (clock.now().getTime() - tokens[name].at > 20 * DAY) {
      const res = await h.http.post('/auth/token').send({ username: name, password: 'correct horse battery' }).expect(200);
      tokens[name] = { token: res.body.token, at: clock.now().getTime() };
    }
    return { Authorization: `Bearer ${tokens[name].token}` };
  }
  async function send(user: string, id: string, type: string, payload: Record<string, unknown> = {}) {
    const res = await h.http
      .post(`/instances/${id}/events`)
      .set(await auth(user))
      .send({ type, payload });
    if (res.status !== 200) throw new Error(`${type} on ${id} by ${user}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  it('runs to the monthly report, whose figures match an independent count; the calendar example holds inside the process', async () => {
    const random = rng(20260213);
    // Receipt times spread over February 2026 (Shanghai 08:30–17:30), plus the calendar example.
    const plans: Plan[] = Array.from({ length: COUNT }, (_, i) => {
      const day = 1 + Math.floor(random() * 28);
      const minutes = 30 + Math.floor(random() * 540);
      const receivedAt = new Date(Date.parse(`2026-02-${String(day).padStart(2, '0')}T08:00:00+08:00`) + minutes * MIN);
      const roll = random();
      return {
        i,
        receivedAt,
        channel: CHANNELS[i % CHANNELS.length],
        category: CATEGORIES[i % CATEGORIES.length],
        department: DEPARTMENTS[(i >> 2) % DEPARTMENTS.length],
        valid: i % 10 !== 7,
        contact: random() < 0.9,
        // Most replies within a day; about one in six only after 12 days (late), half of those explained first.
        replyAfterMs: roll < 0.83 ? (2 + Math.floor(random() * 20)) * HOUR : 12 * DAY,
        explain: roll >= 0.83 && random() < 0.5,
        reopen: random() < 0.08,
      };
    });
    plans[0] = { ...plans[0], receivedAt: new Date('2026-02-13T10:00:00+08:00'), valid: true, replyAfterMs: 2 * HOUR, explain: false, reopen: false };

    const ids = new Map<number, string>();
    const steps: Step[] = [];
    for (const p of plans) {
      const t0 = p.receivedAt.getTime();
      steps.push({
        at: t0,
        run: async () => {
          const res = await h.http
            .post('/instances')
            .set(await auth('ca'))
            .send({
              definition: 'complaint',
              businessKey: `TS-202602-${String(p.i).padStart(4, '0')}`,
              context: {
                receivedAt: p.receivedAt.toISOString(),
                complainant: `业主${p.i}`,
                unit: `${1 + (p.i % 12)}栋${100 + p.i}室`,
                contact: `1380000${String(p.i).padStart(4, '0')}`,
                channel: p.channel,
                content: `第${p.i}号投诉：电梯和停车问题`,
              },
            });
          if (res.status !== 201) throw new Error(`create ${p.i}: ${JSON.stringify(res.body)}`);
          ids.set(p.i, res.body.id);
        },
      });
      steps.push({
        at: t0 + 10 * MIN,
        run: () =>
          send(
            'ca',
            ids.get(p.i)!,
            'classify',
            p.valid ? { valid: true, category: p.category, severity: '一般' } : { valid: false, reason: '非物业服务范围' },
          ).then(() => undefined),
      });
      if (!p.valid) continue;
      steps.push({ at: t0 + 20 * MIN, run: () => send('cs', ids.get(p.i)!, 'dispatch', { department: p.department }).then(() => undefined) });
      if (p.contact) steps.push({ at: t0 + 40 * MIN, run: () => send('ca', ids.get(p.i)!, 'recordContact', { note: '已电话联系' }).then(() => undefined) });
      if (p.explain)
        steps.push({
          at: t0 + 20 * MIN + 2 * HOUR,
          run: () => send(head(p.department), ids.get(p.i)!, 'explainDelay', { explanation: '配件需从厂家调货' }).then(() => undefined),
        });
      const replyAt = t0 + 20 * MIN + p.replyAfterMs;
      steps.push({ at: replyAt, run: () => send(head(p.department), ids.get(p.i)!, 'reply', { method: '上门维修', result: '已修复' }).then(() => undefined) });
      steps.push({
        at: replyAt + HOUR,
        run: () => send('ca', ids.get(p.i)!, 'recordReturnVisit', { satisfied: !p.reopen, comment: p.reopen ? '仍有异响' : '满意' }).then(() => undefined),
      });
      if (p.reopen) {
        steps.push({
          at: replyAt + 5 * HOUR,
          run: () => send(head(p.department), ids.get(p.i)!, 'reply', { method: '更换部件', result: '已解决' }).then(() => undefined),
        });
        steps.push({
          at: replyAt + 6 * HOUR,
          run: () => send('ca', ids.get(p.i)!, 'recordReturnVisit', { satisfied: true, comment: '满意' }).then(() => undefined),
        });
      }
    }
    steps.sort((a, b) => a.at - b.at);
    const runUntil = async (until: number) => {
      while (steps.length > 0 && steps[0].at < until) {
        const step = steps.shift()!;
        clock.set(new Date(step.at));
        await h.engine.runDueWork();
        await step.run();
      }
    };
    const MARCH_1_0901 = Date.parse('2026-03-01T01:01:00.000Z');
    await runUntil(MARCH_1_0901 - MIN);

    // The calendar example holds inside the process.
    const example = await h.http.get(`/instances/${ids.get(0)}/timers`).set(await auth('au'));
    expect(example.body.items.find((t: { eventType: string }) => t.eventType === 'replyOverdue').dueAt).toBe('2026-02-25T10:00:00.000Z');

    // Day 1 of March, 09:00: the schedule starts the report; a minute later the system computes it.
    clock.set('2026-03-01T01:00:00.000Z');
    await h.engine.runDueWork();
    clock.set('2026-03-01T01:01:00.000Z');
    await h.engine.runDueWork();
    // (The schedule also started January's report on 1 February, when the service was already up.)
    const found = await h.http.get('/instances?definition=complaint-monthly-report').set(await auth('cs'));
    expect(found.body.items.map((i: { businessKey: string }) => i.businessKey)).toEqual(['complaint-report-2026-02', 'complaint-report-2026-01']);
    const reportInstance = found.body.items[0];
    const compiled = await h.http.get(`/instances/${reportInstance.id}`).set(await auth('cs'));
    const report = compiled.body.context.report;

    // An independent count from the scenario itself, as of the moment the report was computed.
    const valid = plans.filter((p) => p.valid);
    const deadlineOf = (p: Plan) => calendar.addWorkingDays(new Date(p.receivedAt.getTime() + 20 * MIN), 3).getTime();
    const replyOf = (p: Plan) => p.receivedAt.getTime() + 20 * MIN + p.replyAfterMs;
    const expectedAsOf = (now: number) => {
      const decided = valid.filter((p) => replyOf(p) <= Math.min(deadlineOf(p), now) || deadlineOf(p) <= now);
      const onTime = decided.filter((p) => replyOf(p) <= deadlineOf(p));
      return {
        onTime: onTime.length,
        explained: decided.filter((p) => replyOf(p) > deadlineOf(p) && p.explain).length,
        late: decided.filter((p) => replyOf(p) > deadlineOf(p) && !p.explain).length,
        pending: valid.length - decided.length,
      };
    };
    const closedInMonth = valid.filter((p) => replyOf(p) + (p.reopen ? 6 : 1) * HOUR < Date.parse('2026-03-01T00:00:00+08:00'));
    const count = (list: Plan[], key: 'channel' | 'category' | 'department', value: string) => list.filter((p) => p[key] === value).length;
    const atCompile = expectedAsOf(MARCH_1_0901);

    expect(report.month).toBe('2026-02');
    expect(report.received).toBe(COUNT);
    expect(report.valid).toBe(valid.length);
    expect(report.invalid).toBe(COUNT - valid.length);
    expect(report.replyTimeliness).toMatchObject(atCompile);
    expect(atCompile.onTime).toBeGreaterThan(200);
    expect(atCompile.explained).toBeGreaterThan(5);
    expect(atCompile.late).toBeGreaterThan(5);
    expect(atCompile.pending).toBeGreaterThan(0);
    expect(report.reopened).toBe(valid.filter((p) => p.reopen && replyOf(p) + HOUR <= MARCH_1_0901).length);
    expect(report.closed).toBe(closedInMonth.length);
    expect(report.backlogAtMonthEnd).toBe(valid.length - closedInMonth.length);
    const rows = (list: { name: string; count: number }[]) => Object.fromEntries(list.map((r) => [r.name, r.count]));
    for (const c of CHANNELS) expect(rows(report.byChannel)[c] ?? 0).toBe(count(plans, 'channel', c));
    for (const c of CATEGORIES) expect(rows(report.byCategory)[c] ?? 0).toBe(count(valid, 'category', c));

    // The same figures from the live report API (nothing changed since the compute), and as a workbook.
    const live = await h.http.get('/reports/complaints/2026-02').set(await auth('mg'));
    expect(live.body).toMatchObject({ received: report.received, valid: report.valid, replyTimeliness: atCompile });
    const xlsx = await h.http
      .get('/reports/complaints/2026-02.xlsx')
      .set(await auth('mg'))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body);
    expect(workbook.worksheets.length).toBeGreaterThanOrEqual(2);
    expect(workbook.worksheets[1].actualRowCount).toBeGreaterThanOrEqual(COUNT);

    // Submitted, reviewed and published within the first 5 days: rendered and sent to the departments.
    await send('cs', reportInstance.id, 'submit', { analysis: '电梯类投诉集中，维保响应慢。', proposals: '1. 电梯月检。\n2. 配件备库。' });
    clock.set('2026-03-03T02:00:00.000Z');
    await send('mg', reportInstance.id, 'approve');
    const docs = await h.http.get(`/instances/${reportInstance.id}/documents`).set(await auth('mg'));
    expect(docs.body.items.map((d: { template: string }) => d.template)).toEqual(['complaint-monthly-report']);
    const html = await h.http.get(`/documents/${docs.body.items[0].id}`).set(await auth('mg'));
    expect(html.text).toContain(`<th>受理投诉</th><td class="n">${COUNT}</td>`);
    await h.engine.runDueWork();
    const inbox = await h.http.get('/inbox').set(await auth('dh0'));
    expect(inbox.body.items.map((i: { message: string }) => i.message)).toContain('投诉月报（2026-02）已发布，请查阅并落实改进建议');
    const done = await h.http.get(`/instances/${reportInstance.id}`).set(await auth('mg'));
    expect(done.body).toMatchObject({ state: 'published', context: { late: false, reviewedBy: 'mg' } });

    // The rest of the scenario (late replies into March), then the live figures are final.
    await runUntil(Number.POSITIVE_INFINITY);
    clock.set('2026-03-20T02:00:00.000Z');
    await h.engine.runDueWork();
    const final = await h.http.get('/reports/complaints/2026-02').set(await auth('mg'));
    expect(final.body.replyTimeliness).toMatchObject({ ...expectedAsOf(Date.parse('2026-03-20T02:00:00.000Z')), pending: 0 });

    // Working view: nothing is overdue any more; a time line reads like the trail.
    const view = await h.http.get('/complaints').set(await auth('cs'));
    expect(view.body.items).toHaveLength(COUNT);
    expect(view.body.items.filter((i: { overdue: boolean }) => i.overdue)).toEqual([]);
    const timeline = await h.http.get(`/complaints/${ids.get(0)}/timeline`).set(await auth('cs'));
    expect(timeline.body.items[0]).toContain('登记投诉');
    const trail = await h.http.get(`/instances/${ids.get(0)}/audit`).set(await auth('au'));
    expect(trail.body.items.map((e: { actor: string; eventType: string }) => `${e.eventType}:${e.actor}`)).toEqual([
      '$start:ca',
      'classify:ca',
      'dispatch:cs',
      'recordContact:ca',
      `reply:${head(plans[0].department)}`,
      'recordReturnVisit:ca',
    ]);
    // The department the reply was accepted for is kept in the (hashed) audit entry.
    expect(trail.body.items.find((e: { eventType: string }) => e.eventType === 'reply')).toMatchObject({
      actorRoles: ['dept_head'],
      actorAttributes: { department: plans[0].department },
    });
    const lateOne = valid.find((p) => replyOf(p) > deadlineOf(p) && !p.explain)!;
    const lateTrail = await h.http.get(`/instances/${ids.get(lateOne.i)}/audit`).set(await auth('au'));
    const overdue = lateTrail.body.items.find((e: { eventType: string }) => e.eventType === 'replyOverdue');
    expect(overdue).toMatchObject({ actor: 'system', actorRoles: ['system'], cause: { kind: 'timer' } });
    // Fired by the first poll at or after its due time (the scenario polls at each of its steps).
    expect(Date.parse(overdue.at)).toBeGreaterThanOrEqual(deadlineOf(lateOne));
    const lateTimers = await h.http.get(`/instances/${ids.get(lateOne.i)}/timers`).set(await auth('au'));
    expect(lateTimers.body.items.find((t: { id: string }) => t.id === overdue.cause.timerId)).toMatchObject({
      dueAt: new Date(deadlineOf(lateOne)).toISOString(),
      status: 'fired',
      firedSeq: overdue.seq,
    });
    const verify = await h.http.get('/audit/verify').set(await auth('au'));
    expect(verify.body.ok).toBe(true);
  }, 600_000);

  it('refuses bad input with a clear error and changes nothing', async () => {
    clock.set('2026-04-01T02:00:00.000Z');
    const base = { receivedAt: '2026-04-01T02:00:00.000Z', complainant: '王五', unit: '3栋201', channel: '来电/传真', content: '楼道灯不亮' };
    const noContact = await h.http
      .post('/instances')
      .set(await auth('ca'))
      .send({ definition: 'complaint', businessKey: 'BAD-1', context: base });
    expect(noContact.status).toBe(422);
    expect(noContact.body).toMatchObject({ code: 'CONTEXT_INVALID', errors: [expect.objectContaining({ path: '$.contact' })] });

    const created = await h.http
      .post('/instances')
      .set(await auth('ca'))
      .send({ definition: 'complaint', businessKey: 'BAD-2', context: { ...base, contact: '13900000000' } });
    const id = created.body.id;
    const unknownCategory = await h.http
      .post(`/instances/${id}/events`)
      .set(await auth('ca'))
      .send({ type: 'classify', payload: { valid: true, category: '天气', severity: '一般' } });
    expect(unknownCategory.status).toBe(409);
    expect(unknownCategory.body).toMatchObject({
      code: 'GUARD_REJECTED',
      message: "'classify' was refused: 投诉类别须为以下之一：设备设施、管理服务、收费、突发事件",
    });
    await send('ca', id, 'classify', { valid: true, category: '设备设施', severity: '一般' });
    const unknownDepartment = await h.http
      .post(`/instances/${id}/events`)
      .set(await auth('cs'))
      .send({ type: 'dispatch', payload: { department: '宣传部' } });
    expect(unknownDepartment.body.message).toContain('未知的责任部门：宣传部');
    await send('cs', id, 'dispatch', { department: '工程部' });
    const otherDepartment = await h.http
      .post(`/instances/${id}/events`)
      .set(await auth(head('保安部')))
      .send({ type: 'reply', payload: { method: 'x', result: 'y' } });
    expect(otherDepartment.status).toBe(409);
    expect(otherDepartment.body.message).toBe("'reply' was refused: 该投诉已派往工程部，只有该部门负责人可以回单");
    // Past the reply deadline the explanation is no longer accepted.
    clock.set('2026-04-09T02:00:00.000Z');
    await h.engine.runDueWork();
    const before = (await h.http.get(`/instances/${id}`).set(await auth('cs'))).body;
    expect(before.state).toBe('overdue');
    const lateExplanation = await h.http
      .post(`/instances/${id}/events`)
      .set(await auth(head('工程部')))
      .send({ type: 'explainDelay', payload: { explanation: '太忙' } });
    expect(lateExplanation.status).toBe(409);
    expect(lateExplanation.body.code).toBe('EVENT_NOT_ACCEPTED');
    const after = (await h.http.get(`/instances/${id}`).set(await auth('cs'))).body;
    expect(after.version).toBe(before.version);
    expect(after.context).toEqual(before.context);
  });
});
