/**
 * Times shown to people are local and Chinese, end to end over HTTP (SQLite and PostgreSQL).
 * Everything happens around 2026-12-01T18:13:58Z, which is already 2 December 02:13 in
 * Shanghai, so a UTC date shown anywhere would be a day off:
 * - a pause ending then: the refusal of a new round, the notice to the project head and the
 *   refusal of a late extension read "2026年12月2日 02:13";
 * - a survey round answered and compiled then: the owner's page for a spent token and the F002
 *   workbook (统计日期) and form show 2 December;
 * - a complaint whose promised date is a date without a time falls due at the end of that day,
 *   and its time line shows the date in Chinese.
 * API JSON fields keep their ISO instants (machine data).
 */
import ExcelJS from 'exceljs';
import { ManualClock } from '../../src/common/clock';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';
import { DRIVERS } from '../support/databases';
import { apiAs, PASSWORD, startHarness, type Harness } from '../support/http-harness';

/** 2026年12月2日 02:13 in Shanghai. */
const LATE = '2026-12-01T18:13:58.216Z';
const DAY = 24 * 3600 * 1000;
/** A UTC ISO instant or date of 1 December in a text meant for people. */
const UTC_TEXT = /2026-12-01|T18:13|12月1日/;

describe.each(DRIVERS)('local Chinese times over HTTP on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-11-20T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    const users: Record<string, string[]> = {
      cs: ['cs_supervisor'],
      mg: ['manager'],
      ca: ['cs_assistant'],
      head: ['project_head'],
      region: ['regional_cr'],
      gcr: ['group_cr'],
      au: ['auditor'],
    };
    for (const [name, roles] of Object.entries(users)) auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
    auth.dh = { Authorization: `Bearer ${await h.user('dh', ['dept_head'], { department: '工程部' })}` };
  }, 60_000);
  afterAll(() => h.close());

  const { call, send, get } = apiAs(() => h, auth);
  const work = () => h.engine.runDueWork();
  async function setClock(at: string | Date) {
    clock.set(at);
    for (const name of Object.keys(auth)) {
      const res = await h.http.post('/auth/token').send({ username: name, password: PASSWORD }).expect(200);
      auth[name] = { Authorization: `Bearer ${res.body.token}` };
    }
  }
  async function plannedRound(project: string, batch: string) {
    const round = (await call('post', 'cs', '/survey/rounds', { project, serviceCenter: `${project}客户服务中心`, batch, stage: '稳定期' })).body;
    return round.id as string;
  }

  it('a pause ending at 2026-12-01T18:13:58Z reads 2026年12月2日 02:13 in refusals and notices', async () => {
    const project = '翠湖花园二期';
    const start = new Date(clock.now().getTime() + 3600_000);
    const pause = (
      await call('post', 'head', '/instances', {
        definition: 'pause-request',
        businessKey: 'PA-LT',
        context: {
          requestNo: 'PA-LT',
          project,
          reason: '台风造成小区严重受损',
          impact: '无法正常入户调研',
          startsAt: start.toISOString(),
          endsAt: LATE,
        },
      })
    ).body.id as string;
    await send('head', pause, 'submit');
    await send('region', pause, 'approve', { opinion: '同意' });
    await send('gcr', pause, 'approve', { opinion: '同意' });
    await setClock(start);
    await work();
    await work();
    expect((await get('au', pause)).state).toBe('paused');
    expect((await get('au', pause)).context.endsAt).toBe(LATE); // machine data keeps the instant

    const told = (await call('get', 'head', '/inbox')).body.items.map((i: { message: string }) => i.message);
    expect(told).toContain('项目已暂停满意度调研至 2026年12月2日 02:13');
    const form = (await call('get', 'head', `/instances/${pause}/documents`)).body.items[0];
    const html = (await h.http.get(`/documents/${form.id}`).set(auth.head).expect(200)).text;
    expect(html).toContain('<th>暂停结束</th><td>2026年12月2日</td>');

    const round = await plannedRound(project, '2026-11');
    const refused = await send('cs', round, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 }, [409]);
    expect(refused.message).toContain('暂停期至 2026年12月2日 02:13，期满后方可开始调研');
    expect(refused.message).not.toMatch(UTC_TEXT);

    await setClock(new Date(Date.parse(LATE) + 60_000));
    await work();
    await work();
    expect((await get('au', pause)).state).toBe('ended');
    const late = await send('head', pause, 'requestExtension', { endsAt: new Date(Date.parse(LATE) + DAY).toISOString(), reason: '再延' }, [409]);
    expect(late.message).toContain('暂停期已于 2026年12月2日 02:13 结束');
    expect(late.message).not.toMatch(UTC_TEXT);
  });

  it('a round answered and compiled at 2026-12-01T18:13:58Z shows 2 December to owners and on the F002 workbook', async () => {
    await setClock('2026-12-01T09:00:00.000Z');
    const round = await plannedRound('玉兰苑', '2026-12');
    await send('cs', round, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 });
    await send('mg', round, 'approvePlan');
    const csv = Buffer.from(rosterCsv(rosterRows(40)), 'utf8');
    await h.http.put(`/survey/rounds/${round}/roster?fileName=roster.csv`).set(auth.ca).set('Content-Type', 'text/csv').send(csv).expect(200);
    await send('cs', round, 'freezeRoster');
    await call('post', 'cs', `/survey/rounds/${round}/sample`);
    const tokens = (await call('post', 'cs', `/survey/rounds/${round}/tokens`)).body.tokens as { token: string }[];

    await setClock(LATE);
    for (const t of tokens)
      await h.http
        .post(`/survey/answer/${t.token}`)
        .send({ ratings: { order: 'satisfied' } })
        .expect(201);
    const spent = await h.http.get(`/survey/answer/${tokens[0].token}`).expect(409);
    expect(spent.text).toContain('此调查码已于 2026年12月2日 02:13 使用');
    expect(spent.text).not.toMatch(UTC_TEXT);

    await send('cs', round, 'closeCollection');
    const compiled = await send('cs', round, 'compile');
    expect(compiled.context.preparedAt).toBe(LATE);
    const xlsx = await h.http
      .get(`/survey/rounds/${round}/statistics.xlsx`)
      .set(auth.cs)
      .buffer(true)
      .parse((res, done) => {
        const c: Buffer[] = [];
        res.on('data', (d: Buffer) => c.push(d));
        res.on('end', () => done(null, Buffer.concat(c)));
      })
      .expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as ArrayBuffer);
    const heading = (wb.getWorksheet('统计表')!.getRow(2).values as unknown[]).slice(1);
    expect(heading.slice(6)).toEqual(['统计日期', '2026年12月2日']);

    const docs = (await call('get', 'cs', `/instances/${round}/documents`)).body.items as { id: string; template: string }[];
    const f002 = docs.find((d) => d.template === 'survey-statistics')!;
    const html = (await h.http.get(`/documents/${f002.id}`).set(auth.cs).expect(200)).text;
    expect(html).toContain('日期：2026年12月2日');
    expect(html).toContain('调查时间</th><td>2026年12月1日至2026年12月2日');
    expect(html).not.toMatch(/2026-12-0\d|T\d\d:\d\d/);
  });

  it("a complaint's promised date without a time falls due at the end of that day; its time line says so in Chinese", async () => {
    await setClock('2026-12-01T02:00:00.000Z');
    const id = (
      await call('post', 'ca', '/instances', {
        definition: 'complaint',
        businessKey: 'TS-LT-1',
        context: {
          receivedAt: '2026-12-01T10:00:00+08:00',
          complainant: '李先生',
          unit: '3栋1201',
          contact: '13800000000',
          channel: '来访',
          content: '水泵噪音',
        },
      })
    ).body.id as string;
    await send('ca', id, 'classify', { valid: true, category: '设备设施', severity: '一般' });
    await send('cs', id, 'dispatch', { department: '工程部' });
    await send('dh', id, 'markLongTerm', { reason: '需更换水泵' });
    await send('ca', id, 'explainToCustomer', { explanation: '已向业主解释', expectedBy: '2026-12-10' });
    const timers = (await call('get', 'au', `/instances/${id}/timers`)).body.items as { eventType: string; dueAt: string; status: string }[];
    // 18:00 on 10 December in Shanghai, not its first minute (2026-12-09T16:00Z).
    expect(timers.find((t) => t.eventType === 'longTermDue' && t.status === 'pending')?.dueAt).toBe('2026-12-10T10:00:00.000Z');
    const timeline = (await call('get', 'cs', `/complaints/${id}/timeline`)).body.items as string[];
    expect(timeline.at(-1)).toContain('预计解决期限 2026年12月10日');
  });
});
