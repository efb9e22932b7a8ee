/**
 * Issue 9, end to end over real HTTP on both databases: deadlines never stop at a year
 * boundary. A complaint dispatched on 2026-12-30 gets a provisional reply deadline under the
 * statutory rule (end of 2027-01-05) instead of a refusal; the service warns that official
 * data ends; once the year's official data is written into the calendar file and an admin
 * reloads the calendar, every pending deadline is recomputed with an audit entry by `system`,
 * one made already past fires on the next pass exactly once; and a restart with a changed
 * calendar file recomputes too.
 *
 * The 2027 "official" data here is fictional test data chosen so the windows cross an adjusted
 * working day (Sat 2027-01-02 worked), not the real notice.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock';
import { openEngine } from '../../src/engine/engine';
import { createProcessFunctions } from '../../src/processes';
import { DRIVERS, freshDatabase, REPO_ROOT } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';

const FICTIONAL_2027 = `
officialYears:
  - year: 2027
    holidays:
      - { date: 2027-01-01, title: 元旦 }
    workingDays:
      - { date: 2027-01-02, title: 元旦调休 }
`;

const BUNDLED_CALENDAR = join(REPO_ROOT, 'definitions', 'calendar', 'calendar.yaml');

function calendarCopy(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wf-cal-'));
  const file = join(dir, 'calendar.yaml');
  copyFileSync(BUNDLED_CALENDAR, file);
  return { dir, file };
}

describe.each(DRIVERS)('deadlines across the year boundary on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-12-30T10:00:00+08:00'));
  const cal = calendarCopy();
  const auth: Record<string, { Authorization: string }> = {};
  const api = apiAs(() => h, auth);
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_CALENDAR_FILE: cal.file, WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    for (const [name, roles, attrs] of [
      ['ca', ['cs_assistant']],
      ['cs', ['cs_supervisor']],
      ['mg', ['manager']],
      ['au', ['auditor']],
      ['admin', ['admin']],
      ['dh', ['dept_head'], { department: '工程部' }],
    ] as [string, string[], Record<string, string>?][]) {
      auth[name] = { Authorization: `Bearer ${await h.user(name, roles, attrs)}` };
    }
  });
  afterAll(async () => {
    await h.close();
    rmSync(cal.dir, { recursive: true, force: true });
  });

  async function dispatchComplaint(key: string, at: string): Promise<string> {
    clock.set(at);
    const created = await api.call('post', 'ca', '/instances', {
      definition: 'complaint',
      businessKey: key,
      context: {
        receivedAt: clock.now().toISOString(),
        complainant: '王女士',
        unit: '5栋302',
        contact: '13900001111',
        channel: '来电/传真',
        content: '水管漏水',
      },
    });
    const id = created.body.id as string;
    await api.send('ca', id, 'classify', { valid: true, category: '设备设施', severity: '一般' });
    clock.set(new Date(clock.now().getTime() + 20 * 60_000));
    await api.send('cs', id, 'dispatch', { department: '工程部' });
    return id;
  }

  const replyTimer = async (id: string) =>
    (await api.call('get', 'au', `/instances/${id}/timers`)).body.items.find((t: { eventType: string }) => t.eventType === 'replyOverdue');

  it('dispatching on 2026-12-30 gets a provisional deadline (end of 2027-01-05), shown as such everywhere', async () => {
    ids.a = await dispatchComplaint('TS-202612-0001', '2026-12-30T10:00:00+08:00');
    expect(await replyTimer(ids.a)).toMatchObject({ dueAt: '2027-01-05T10:00:00.000Z', status: 'pending', provisional: true });

    const trail = (await api.call('get', 'au', `/instances/${ids.a}/audit`)).body.items;
    const dispatch = trail.find((e: { eventType: string }) => e.eventType === 'dispatch');
    expect(dispatch.effects.timers).toEqual(
      expect.arrayContaining([expect.objectContaining({ event: 'replyOverdue', dueAt: '2027-01-05T10:00:00.000Z', provisional: true })]),
    );

    const view = (await api.call('get', 'cs', '/complaints')).body.items.find((i: { id: string }) => i.id === ids.a);
    expect(view).toMatchObject({ dueAt: '2027-01-05T10:00:00.000Z', dueProvisional: true });
    const timeline = (await api.call('get', 'cs', `/complaints/${ids.a}/timeline`)).body.items as string[];
    expect(timeline.find((l) => l.includes('派单'))).toContain('（回单时限 2027年1月5日 18:00，暂定）');

    // The second one the next day: 4, 5, 6 January under the statutory rule.
    ids.b = await dispatchComplaint('TS-202612-0002', '2026-12-31T09:00:00+08:00');
    expect(await replyTimer(ids.b)).toMatchObject({ dueAt: '2027-01-06T10:00:00.000Z', provisional: true });
  });

  it('warns that official data ends, in Chinese, naming the year and what to do', async () => {
    const status = (await api.call('get', 'ca', '/calendar')).body;
    expect(status).toMatchObject({ officialThrough: '2026-12-31', provisionalFrom: '2027-01-01', timeZone: 'Asia/Shanghai' });
    expect(status.warning).toMatchObject({ year: 2027, daysLeft: 0 });
    expect(status.warning.message).toContain('2027年');
    expect(status.warning.message).toContain('wf calendar import');
  });

  it('reports and views for a month with provisional days work', async () => {
    const report = await api.call('get', 'mg', '/reports/complaints/2026-12');
    expect(report.body).toMatchObject({ month: '2026-12' });
    await api.call('get', 'mg', '/reports/complaints/2027-01');
    await api.call('get', 'mg', '/reports/complaints/2026-12.xlsx');
  });

  it('refuses a reload by a non-admin and an invalid calendar file, changing nothing', async () => {
    const forbidden = await api.call('post', 'cs', '/calendar/reload', {}, [403]);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    const good = readFileSync(cal.file, 'utf8');
    writeFileSync(cal.file, `${good}\nofficialYears:\n  - year: 2027\n    holidays: [{ date: 2027-02-30, title: 春节 }]\n    workingDays: []\n`);
    try {
      const invalid = await api.call('post', 'admin', '/calendar/reload', {}, [422]);
      expect(invalid.body.code).toBe('CALENDAR_INVALID');
      expect(invalid.body.errors).toEqual([expect.objectContaining({ path: 'officialYears.0.holidays.0.date', line: good.split('\n').length + 3 })]);
    } finally {
      writeFileSync(cal.file, good);
    }
    expect(await replyTimer(ids.a)).toMatchObject({ dueAt: '2027-01-05T10:00:00.000Z', provisional: true });
  });

  it('after the official data is added and the calendar reloaded, deadlines are recomputed and audited; one made past fires once', async () => {
    clock.set('2027-01-04T20:00:00+08:00');
    await h.engine.runDueWork(); // nothing is due yet under the provisional rule
    expect(await replyTimer(ids.a)).toMatchObject({ status: 'pending' });

    writeFileSync(cal.file, readFileSync(cal.file, 'utf8') + FICTIONAL_2027);
    const reload = (await api.call('post', 'admin', '/calendar/reload')).body;
    expect(reload.revision).toMatchObject({ trigger: 'api', actor: 'admin', reason: '2027年官方节假日安排已导入', changed: 2 });
    expect(reload.report.instances).toHaveLength(2);

    // Sat 2 January is now worked: A (from 30 Dec) ends on Mon 4 Jan, B (from 31 Dec) on Tue 5 Jan.
    expect(await replyTimer(ids.a)).toMatchObject({ dueAt: '2027-01-04T10:00:00.000Z', provisional: false, status: 'pending' });
    expect(await replyTimer(ids.b)).toMatchObject({ dueAt: '2027-01-05T10:00:00.000Z', provisional: false, status: 'pending' });

    const trailA = (await api.call('get', 'au', `/instances/${ids.a}/audit`)).body.items;
    const recomputed = trailA[trailA.length - 1];
    expect(recomputed).toMatchObject({
      eventType: '$deadlines.recomputed',
      actor: 'system',
      fromState: recomputed.toState,
      payload: {
        reason: '2027年官方节假日安排已导入',
        reasonEn: '2027 official calendar imported',
        changes: [
          expect.objectContaining({
            event: 'replyOverdue',
            oldDueAt: '2027-01-05T10:00:00.000Z',
            newDueAt: '2027-01-04T10:00:00.000Z',
            wasProvisional: true,
            provisional: false,
          }),
        ],
      },
    });
    const before = (await api.call('get', 'au', `/instances/${ids.a}`)).body;
    expect(before.state).toBe(trailA[trailA.length - 2].toState);
    const timeline = (await api.call('get', 'cs', `/complaints/${ids.a}/timeline`)).body.items as string[];
    expect(timeline[timeline.length - 1]).toContain(
      '期限重算（业务日历更新）：2027年官方节假日安排已导入：回单时限由 2027年1月5日 18:00（暂定） 调整为 2027年1月4日 18:00',
    );

    // A's new deadline (18:00 today) is already past: it fires on the next pass, once; B's is tomorrow.
    await h.engine.runDueWork();
    await h.engine.runDueWork();
    const afterA = (await api.call('get', 'au', `/instances/${ids.a}/audit`)).body.items;
    expect(afterA.filter((e: { eventType: string }) => e.eventType === 'replyOverdue')).toHaveLength(1);
    expect(await replyTimer(ids.a)).toMatchObject({ status: 'fired' });
    expect(await replyTimer(ids.b)).toMatchObject({ status: 'pending' });

    // A second reload finds nothing to change and writes no audit entry.
    const again = (await api.call('post', 'admin', '/calendar/reload')).body;
    expect(again).toMatchObject({ unchanged: true, report: { changed: 0 } });
    expect(
      (await api.call('get', 'au', `/instances/${ids.b}/audit`)).body.items.filter((e: { eventType: string }) => e.eventType === '$deadlines.recomputed'),
    ).toHaveLength(1);

    const revisions = (await api.call('get', 'au', '/calendar/revisions')).body.items;
    expect(revisions.map((r: { trigger: string }) => r.trigger)).toEqual(['api', 'api', 'start']);
    expect((await api.call('get', 'au', '/audit/verify')).body).toMatchObject({ ok: true });
    expect((await api.call('get', 'ca', '/calendar')).body.warning).toBeNull();
  });
});

describe.each(DRIVERS)('a restart with a changed calendar file on %s', (driver) => {
  it('recomputes pending provisional deadlines at the next start, audited, once', async () => {
    const cal = calendarCopy();
    const database = await freshDatabase(driver, { WF_CALENDAR_FILE: cal.file });
    const clock = new ManualClock(new Date('2026-12-30T10:00:00+08:00'));
    try {
      let engine = await openEngine(database.config, { clock, functions: createProcessFunctions({ definitionsDir: database.config.definitionsDir }) });
      await engine.definitions.registerDirectory(engine.config.definitionsDir, 'system');
      const actor = (roles: string[], attributes?: Record<string, string>) => ({ id: roles[0], roles, ...(attributes ? { attributes } : {}) });
      const { instance: body } = await engine.transitions.create(
        {
          definition: 'complaint',
          businessKey: 'TS-R-1',
          context: {
            receivedAt: clock.now().toISOString(),
            complainant: '赵先生',
            unit: '1栋101',
            contact: '13700000000',
            channel: '来访',
            content: '门禁失灵',
          },
        },
        actor(['cs_assistant']),
      );
      await engine.transitions.send(body.id, { type: 'classify', payload: { valid: true, category: '设备设施', severity: '一般' } }, actor(['cs_assistant']));
      await engine.transitions.send(body.id, { type: 'dispatch', payload: { department: '工程部' } }, actor(['cs_supervisor']));
      const due = async () => (await engine.records.timers(body.id)).find((t) => t.eventType === 'replyOverdue');
      expect(await due()).toMatchObject({ dueAt: '2027-01-05T10:00:00.000Z', provisional: true });
      await engine.close();

      writeFileSync(cal.file, readFileSync(cal.file, 'utf8') + FICTIONAL_2027);
      engine = await openEngine(database.config, { clock, functions: createProcessFunctions({ definitionsDir: database.config.definitionsDir }) });
      expect(await due()).toMatchObject({ dueAt: '2027-01-04T10:00:00.000Z', provisional: false });
      const trail = await engine.instances.audit(body.id, actor(['auditor']));
      expect(trail.filter((e) => e.eventType === '$deadlines.recomputed')).toHaveLength(1);
      expect(trail[trail.length - 1]).toMatchObject({ actor: 'system', payload: { reason: '2027年官方节假日安排已导入' } });
      await engine.close();

      // Starting again with the same file changes nothing.
      engine = await openEngine(database.config, { clock, functions: createProcessFunctions({ definitionsDir: database.config.definitionsDir }) });
      expect((await engine.instances.audit(body.id, actor(['auditor']))).filter((e) => e.eventType === '$deadlines.recomputed')).toHaveLength(1);
      expect(await engine.auditVerifier.verify({ instanceId: body.id })).toMatchObject({ ok: true });
      await engine.close();
    } finally {
      await database.dispose();
      rmSync(cal.dir, { recursive: true, force: true });
    }
  });
});
