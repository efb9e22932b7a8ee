/**
 * Issue 4, end to end over real HTTP on both databases: a previous round of the same project
 * and stage, then a round of 2,000 households (XLSX roster) — plan approved, roster imported and
 * frozen, 400 households sampled (seed audited and reproduced), tokens issued, owners answering
 * online (JSON and the HTML form) and staff typing paper forms, collection closed by its durable
 * deadline, figures computed and analysed against the previous round, two corrective actions
 * (one overdue and escalated, one sent back by its verifier) verified, fed back and spot-checked,
 * and the open letter posted. Every figure of the letter is recomputed here from the audit trail
 * and from an independent count of the scenario itself.
 */
import ExcelJS from 'exceljs';
import { ManualClock } from '../../src/common/clock';
import { surveyStatistics } from '../../src/domain/survey/statistics';
import type { Questionnaire } from '../../src/domain/survey/questionnaire';
import { DRIVERS } from '../support/databases';
import { apiAs, PASSWORD, startHarness, type Harness } from '../support/http-harness';
import { rosterCsv, rosterRows, rosterXlsx } from '../fixtures/survey/roster-fixture';

const DAY = 24 * 3600 * 1000;
const PROJECT = '翠湖花园一期';
const ITEMS = ['order', 'traffic', 'cleaning', 'greenery', 'utilities', 'elevator', 'repairs', 'community', 'complaints'];
const SATISFIED = new Set(['verySatisfied', 'satisfied']);

type Answers = { ratings: Record<string, string>; comments?: Record<string, string> };

/** Deterministic answers of household number n; the elevator does worse in the current round. */
function answersFor(n: number, current: boolean): Answers {
  const ratings: Record<string, string> = {};
  ITEMS.forEach((item, k) => {
    const r = (n * 31 + k * 17) % 100;
    if (r === 3) return; // left blank: not a rating
    const worse = current && item === 'elevator' ? 25 : 0;
    ratings[item] = r < 55 - worse ? 'verySatisfied' : r < 93 - worse ? 'satisfied' : r < 97 ? 'neutral' : r < 99 ? 'dissatisfied' : 'veryDissatisfied';
  });
  const comments: Record<string, string> = {};
  if (current && n % 9 === 0) comments.other = '电梯经常困梯，维修不及时';
  else if (current && n % 11 === 0) comments.other = '地下车库停车位不够，道闸经常坏';
  else if (n % 37 === 0) comments.other = '希望多组织社区文化活动';
  return Object.keys(comments).length ? { ratings, comments } : { ratings };
}

describe.each(DRIVERS)('a survey round of 2,000 households on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2025-09-01T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    const users: Record<string, string[]> = {
      cs: ['cs_supervisor'],
      ca: ['cs_assistant'],
      mg: ['manager'],
      dh: ['dept_head'],
      vf: ['verifier'],
      vf2: ['verifier'],
      au: ['auditor'],
    };
    for (const [name, roles] of Object.entries(users)) auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
  }, 60_000);

  /** Signs everyone in again after the (manual) clock jumped months ahead. */
  async function signInAgain() {
    for (const name of Object.keys(auth)) {
      const res = await h.http.post('/auth/token').send({ username: name, password: PASSWORD }).expect(200);
      auth[name] = { Authorization: `Bearer ${res.body.token}` };
    }
  }
  afterAll(() => h.close());

  const { call, send, get } = apiAs(() => h, auth);

  /** Plan → approval → roster → sample → tokens: returns the round id and its tokens. */
  async function openRound(batch: string, roster: { body: Buffer; type: string; fileName: string }, sampleSize?: number) {
    const round = (await call('post', 'cs', '/survey/rounds', { project: PROJECT, serviceCenter: '翠湖花园客户服务中心', batch, stage: '稳定期' })).body;
    await send('cs', round.id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1, ...(sampleSize ? { sampleSize } : {}) });
    await send('mg', round.id, 'approvePlan');
    await h.http
      .put(`/survey/rounds/${round.id}/roster?fileName=${roster.fileName}`)
      .set(auth.ca)
      .set('Content-Type', roster.type)
      .send(roster.body)
      .expect(200);
    await send('cs', round.id, 'freezeRoster');
    const sampled = (await call('post', 'cs', `/survey/rounds/${round.id}/sample`)).body;
    const tokens = (await call('post', 'cs', `/survey/rounds/${round.id}/tokens`)).body;
    return { id: round.id as string, sample: sampled.context.sample, tokens: tokens.tokens as { householdId: string; token: string }[] };
  }

  it('runs from the plan to the posted open letter, every figure recomputable', async () => {
    const rows = rosterRows(2000);
    const csv = { body: Buffer.from(rosterCsv(rows, { bom: true }), 'utf8'), type: 'text/csv', fileName: 'roster-2000.csv' };
    const xlsxBody = await rosterXlsx(rows, { title: '翠湖花园一期业主名单' });
    expect(xlsxBody.length).toBeLessThan(h.engine.config.maxBodyBytes);
    const xlsx = { body: xlsxBody, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', fileName: 'roster-2000.xlsx' };
    const index = new Map(rows.map((r, i) => [`${r.building}-${r.unit}-${r.room}`, i]));

    // ---- The previous round (2025-09): every sampled household answers online. ----
    const prev = await openRound('2025-09', csv);
    expect(prev.sample).toMatchObject({ eligible: 1714, required: 343, size: 343, fromFresh: 343, fromPrevious: 0, previousRound: null });
    for (const t of prev.tokens) {
      await h.http
        .post(`/survey/answer/${t.token}`)
        .send(answersFor(index.get(t.householdId) as number, false))
        .expect(201);
    }
    await send('cs', prev.id, 'closeCollection');
    await send('cs', prev.id, 'compile');
    await send('cs', prev.id, 'markCommonIssues', { commonIssues: [] });
    await send('cs', prev.id, 'draftNotice', { replies: [], managementOffice: '翠湖花园管理处' });
    expect((await send('mg', prev.id, 'approveNotice')).state).toBe('published');
    const prevSampled = new Set(prev.tokens.map((t) => t.householdId));

    // ---- The current round (2026-03). ----
    clock.set('2026-03-02T01:00:00.000Z');
    await signInAgain();
    const round = (await call('post', 'cs', '/survey/rounds', { project: PROJECT, serviceCenter: '翠湖花园客户服务中心', batch: '2026-03', stage: '稳定期' }))
      .body;
    const id = round.id as string;
    expect(round.businessKey).toBe(`SR-${PROJECT}-2026-03-稳定期`);
    // Nothing is sent before the manager approves the plan.
    await call('post', 'cs', `/survey/rounds/${id}/sample`, undefined, [409]);
    await send('cs', id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1, sampleSize: 400 });
    await call('post', 'cs', `/instances/${id}/events`, { type: 'approvePlan' }, [403]);
    await send('mg', id, 'approvePlan');

    // A malformed file is refused whole, naming row and column; a good one is stored.
    const bad = rosterCsv(rows.slice(0, 50))
      .replace('13800000010', '138-ABC')
      .replace(/\r\n1栋,1,102,/, '\r\n1栋,1,101,');
    const refused = await h.http
      .put(`/survey/rounds/${id}/roster?fileName=bad.csv`)
      .set(auth.ca)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(bad))
      .expect(422);
    expect(refused.body.code).toBe('ROSTER_INVALID');
    expect(refused.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ column: '电话', value: '138-ABC' })]));
    expect(refused.body.message).toMatch(/nothing was stored/);
    await h.http.put(`/survey/rounds/${id}/roster`).set(auth.ca).set('Content-Type', xlsx.type).send(xlsx.body).expect(200);
    const imported = await get('cs', id);
    expect(imported.context.roster).toMatchObject({ households: 2000, occupied: 1714, specialRemarks: 21, fileName: 'roster.xlsx' });
    await send('cs', id, 'freezeRoster');
    await h.http
      .put(`/survey/rounds/${id}/roster`)
      .set(auth.ca)
      .set('Content-Type', xlsx.type)
      .send(xlsx.body)
      .expect(409)
      .expect((res) => expect(res.body.message).toMatch(/frozen/));

    // Sample: 400 (the plan) ≥ 343 (20% of 1,714 occupied), none sampled last time; reproducible.
    const sampled = (await call('post', 'cs', `/survey/rounds/${id}/sample`)).body;
    expect(sampled.context.sample).toMatchObject({
      eligible: 1714,
      required: 400,
      size: 400,
      fromFresh: 400,
      fromPrevious: 0,
      previousRound: prev.tokens.length ? `SR-${PROJECT}-2025-09-稳定期` : null,
    });
    await expect(call('get', 'au', `/survey/rounds/${id}/sample/verify`).then((r) => r.body)).resolves.toMatchObject({ reproduced: true, size: 400 });

    // Roster reading: the manager sees masked contacts, the CS supervisor the full ones.
    const masked = (await call('get', 'mg', `/survey/rounds/${id}/households?sampled=true`)).body;
    expect(masked.masked).toBe(true);
    expect(masked.items).toHaveLength(400);
    expect(masked.items.every((x: { phone: string; ownerName: string }) => /^1\d\d\*{4}\d{4}$/.test(x.phone) && x.ownerName.includes('*'))).toBe(true);
    expect(masked.items.some((x: { id: string }) => prevSampled.has(x.id))).toBe(false);
    const full = (await call('get', 'cs', `/survey/rounds/${id}/households?sampled=true`)).body;
    expect(full.items[0].phone).toMatch(/^1380000\d{4}$/);

    // Tokens: once, unguessable, only hashes stored.
    const issued = (await call('post', 'cs', `/survey/rounds/${id}/tokens`)).body;
    expect(issued.issued).toBe(400);
    const tokens = issued.tokens as { householdId: string; token: string }[];
    expect(new Set(tokens.map((t) => t.token)).size).toBe(400);
    expect(tokens.every((t) => t.token.length >= 32)).toBe(true);
    await call('post', 'cs', `/survey/rounds/${id}/tokens`, undefined, [409]);
    const stored = await h.engine.db.read((q) => q.rows<{ token_hash: string }>('SELECT token_hash FROM survey_tokens WHERE round_id = $1', [id]));
    expect(stored).toHaveLength(400);
    expect(stored.some((s) => tokens.some((t) => t.token === s.token_hash))).toBe(false);

    // Answers: 330 online (JSON), 2 through the HTML form, 30 on paper; 38 never come back.
    const returned: { householdId: string; answers: Answers }[] = [];
    const page = await h.http.get(`/survey/answer/${tokens[0].token}`).expect(200);
    expect(page.text).toContain('客户意见调查表');
    expect(page.text).toContain('name="rating.elevator"');
    for (const t of tokens.slice(0, 330)) {
      const answers = answersFor(index.get(t.householdId) as number, true);
      await h.http.post(`/survey/answer/${t.token}`).send(answers).expect(201);
      returned.push({ householdId: t.householdId, answers });
    }
    for (const t of tokens.slice(330, 332)) {
      const answers = answersFor(index.get(t.householdId) as number, true);
      const form = new URLSearchParams(Object.entries(answers.ratings).map(([k, v]): [string, string] => [`rating.${k}`, v]));
      if (answers.comments?.other) form.append('comment.other', answers.comments.other);
      const done = await h.http.post(`/survey/answer/${t.token}`).type('form').send(form.toString()).expect(200);
      expect(done.text).toContain('感谢您的宝贵意见');
      returned.push({ householdId: t.householdId, answers: answers.comments ? answers : { ratings: answers.ratings, comments: {} } });
    }
    for (const t of tokens.slice(332, 362)) {
      const answers = answersFor(index.get(t.householdId) as number, true);
      await call('post', 'ca', `/survey/rounds/${id}/responses`, { householdId: t.householdId, answers });
      returned.push({ householdId: t.householdId, answers });
    }
    clock.advance(3 * DAY);

    // Bad answers: a token used twice, a paper form for a household that answered online,
    // an item that does not exist, a household not sampled — refused; nothing changes.
    const twice = await h.http.post(`/survey/answer/${tokens[0].token}`).send(answersFor(1, true)).expect(409);
    expect(twice.body.message).toMatch(/已使用|already used/);
    await call('post', 'ca', `/survey/rounds/${id}/responses`, { householdId: tokens[1].householdId, answers: answersFor(1, true) }, [409]);
    const unknownItem = await h.http
      .post(`/survey/answer/${tokens[390].token}`)
      .send({ ratings: { swimmingPool: 'satisfied' } })
      .expect(422);
    expect(unknownItem.body.errors).toEqual([expect.objectContaining({ path: '$.ratings.swimmingPool' })]);
    const notSampled = rows
      .map((r) => `${r.building}-${r.unit}-${r.room}`)
      .find((hid, i) => i % 7 !== 0 && !tokens.some((t) => t.householdId === hid)) as string;
    await call('post', 'ca', `/survey/rounds/${id}/responses`, { householdId: notSampled, answers: answersFor(1, true) }, [400]);
    await h.http.get(`/survey/answer/not-a-token`).expect(404);
    await call('get', 'cs', `/survey/rounds/${id}/statistics`, undefined, [409]);
    expect((await get('cs', id)).context.returned).toBe(362);

    // The durable deadline (7 days, rules.collectionDays) closes collection: 362 / 400 = 90.5% > 85%.
    clock.advance(4 * DAY + 60_000);
    await h.engine.runDueWork();
    const closed = await get('cs', id);
    expect(closed.state).toBe('compiling');
    expect(closed.context.figures).toMatchObject({ households: 2000, issued: 400, returned: 362, online: 332, paper: 30, responseRate: 362 / 400 });
    const after = await h.http.get(`/survey/answer/${tokens[399].token}`).expect(409);
    expect(after.text).toContain('本次调查已结束');

    // Statistics and analysis against the previous round.
    const compiled = await send('cs', id, 'compile');
    expect(compiled.state).toBe('analysing');
    const analysis = compiled.context.analysis;
    expect(analysis.previousRound).toEqual({ businessKey: `SR-${PROJECT}-2025-09-稳定期`, batch: '2025-09' });
    expect(analysis.fell.map((f: { key: string }) => f.key)).toContain('elevator');
    expect(analysis.lowestSatisfaction.items.map((i: { key: string }) => i.key)).toEqual(['elevator']);
    const groups = analysis.commentGroups.filter((g: { commonIssueCandidate: boolean }) => g.commonIssueCandidate).map((g: { key: string }) => g.key);
    expect(groups).toEqual(expect.arrayContaining(['elevator', 'traffic']));
    const stats = (await call('get', 'mg', `/survey/rounds/${id}/statistics`)).body;
    expect(stats).toMatchObject({ households: 2000, issued: 400, returned: 362 });
    const xlsxRes = await h.http
      .get(`/survey/rounds/${id}/statistics.xlsx`)
      .set(auth.mg)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsxRes.body as unknown as ArrayBuffer);
    expect(workbook.getWorksheet('统计表')).toBeDefined();

    // Independent count from the scenario itself.
    let ratings = 0;
    let satisfied = 0;
    for (const r of returned)
      for (const level of Object.values(r.answers.ratings)) {
        ratings++;
        if (SATISFIED.has(level)) satisfied++;
      }
    expect(stats.ratings).toBe(ratings);
    expect(stats.overallSatisfaction).toBeCloseTo(satisfied / ratings, 12);

    // Common issues and corrective actions.
    const elevatorCommenters = analysis.commentGroups.find((g: { key: string }) => g.key === 'elevator').commenters;
    await send('cs', id, 'markCommonIssues', {
      commonIssues: [
        { title: '电梯经常困梯，维修不及时', description: '多户反映电梯故障频繁', commenters: elevatorCommenters },
        { title: '地下车库停车位不足、道闸故障', commenters: 2 },
      ],
      expectations: '希望电梯维保到位，车库管理有序',
    });
    await send('mg', id, 'assignCorrectiveAction', {
      issue: '电梯经常困梯，维修不及时',
      measures: '更换曳引机钢丝绳，维保单位每周巡检',
      department: '工程部',
      responsiblePerson: '工程部 陈工',
      verifier: 'vf',
      deadline: '2026-03-31',
    });
    await send('mg', id, 'assignCorrectiveAction', {
      issue: '地下车库停车位不足、道闸故障',
      measures: '维修道闸，重新规划临时车位',
      department: '保安部',
      responsiblePerson: '保安部 李队长',
      verifier: 'vf2',
      deadline: '2026-03-13',
    });
    await call(
      'post',
      'mg',
      `/instances/${id}/events`,
      {
        type: 'assignCorrectiveAction',
        payload: { issue: '不存在的问题', measures: 'x', department: 'x', responsiblePerson: 'x', verifier: 'vf', deadline: '2026-03-31' },
      },
      [409],
    );
    await h.engine.runDueWork();
    const children = (await call('get', 'au', '/instances?definition=corrective-action')).body.items as { id: string; businessKey: string; parentId: string }[];
    expect(children.map((c) => c.businessKey).sort()).toEqual([`SR-${PROJECT}-2026-03-稳定期-整改1`, `SR-${PROJECT}-2026-03-稳定期-整改2`]);
    expect(children.every((c) => c.parentId === id)).toBe(true);
    const ca1 = children.find((c) => c.businessKey.endsWith('整改1')) as { id: string };
    const ca2 = children.find((c) => c.businessKey.endsWith('整改2')) as { id: string };

    // The second one runs past its deadline (2026-03-13 18:00 +08:00) and is escalated.
    clock.set('2026-03-13T10:01:00.000Z');
    await h.engine.runDueWork();
    expect((await get('mg', ca2.id)).context.escalatedAt).toBeDefined();
    const inbox = (await call('get', 'mg', '/inbox')).body;
    expect(JSON.stringify(inbox)).toContain('整改逾期');

    await send('dh', ca1.id, 'reportDone', { result: '钢丝绳已更换，维保巡检记录齐全' });
    await call('post', 'vf2', `/instances/${ca1.id}/events`, { type: 'verify', payload: { passed: true } }, [409]); // not its verifier
    await send('vf', ca1.id, 'verify', { passed: true });
    await send('cs', ca1.id, 'recordFeedback', { feedback: 'explained', note: '在公告栏说明整改结果' });
    await send('mg', ca1.id, 'recordSpotCheck', { note: '抽查3部电梯，运行正常' });

    await send('dh', ca2.id, 'reportDone', { result: '道闸已维修' });
    await send('vf2', ca2.id, 'verify', { passed: false, note: '临时车位尚未划线' });
    await send('dh', ca2.id, 'reportDone', { result: '道闸已维修，临时车位已划线' });
    await send('vf2', ca2.id, 'verify', { passed: true });
    await send('cs', ca2.id, 'recordFeedback', { feedback: 'returnVisit', note: '回访反映问题的业主，均表示满意' });
    await send('mg', ca2.id, 'recordSpotCheck', { note: '夜间抽查车库，秩序良好' });
    await h.engine.runDueWork();
    expect((await get('cs', id)).context.closedCorrectiveActions).toHaveLength(2);

    // The open letter.
    await send('cs', id, 'draftNotice', {
      replies: [
        { issue: '电梯经常困梯、维修不及时的问题', reply: '我们已督促维保单位更换了钢丝绳，并每周巡检。' },
        { issue: '地下车库停车位不足、道闸故障的问题', reply: '道闸已修复，并增划了临时车位。' },
      ],
      managementOffice: '翠湖花园管理处',
      hotline: '0755-88886666',
    });
    const published = await send('mg', id, 'approveNotice');
    expect(published.state).toBe('published');
    await h.engine.runDueWork();
    const notices = (await call('get', 'ca', '/notices')).body;
    const notice = (notices.items ?? notices).find((n: { title: string }) => n.title.includes('2026-03'));
    expect(notice).toBeDefined();
    const docs = (await call('get', 'au', `/instances/${id}/documents`)).body;
    const letter = (docs.items ?? docs).find((d: { template: string }) => d.template === 'survey-notice');
    const html = (await call('get', 'au', `/documents/${letter.id}`)).text;

    // Every figure of the letter, recomputed from the audit trail alone.
    const trail = (await call('get', 'au', `/instances/${id}/audit`)).body.items as {
      seq: number;
      eventType: string;
      actor: string;
      payload: Record<string, unknown>;
    }[];
    const importEntry = trail.filter((e) => e.eventType === 'importRoster').pop() as unknown as { payload: { households: number } };
    const issueEntry = trail.find((e) => e.eventType === 'issueTokens') as unknown as { payload: { issued: number } };
    const responses = trail
      .filter((e) => e.eventType === 'recordResponse')
      .map((e) => ({ householdId: e.payload.householdId as string, ...(e.payload.answers as object) }));
    const recomputed = surveyStatistics({
      questionnaire: published.context.questionnaire as Questionnaire,
      households: importEntry.payload.households,
      issued: issueEntry.payload.issued,
      responses,
    });
    expect(recomputed).toEqual(published.context.statistics);
    const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
    for (const figure of [
      `共有住户${recomputed.households}户`,
      `发出调查表${recomputed.issued}份`,
      `发放率${pct(recomputed.issuanceRate as number)}`,
      `回收调查表${recomputed.returned}份`,
      `回收率${pct(recomputed.responseRate as number)}`,
      `总满意率为${pct(recomputed.overallSatisfaction as number)}`,
    ]) {
      expect(html).toContain(figure);
    }
    expect(html).toContain('关于电梯经常困梯、维修不及时的问题');

    // Every step in the audit trail with its actor.
    const steps = trail.map((e) => `${e.eventType}:${e.actor}`);
    for (const s of [
      '$start:cs',
      'submitPlan:cs',
      'approvePlan:mg',
      'importRoster:ca',
      'freezeRoster:cs',
      'drawSample:cs',
      'issueTokens:cs',
      'collectionDeadline:system',
      'compile:cs',
      'markCommonIssues:cs',
      'assignCorrectiveAction:mg',
      'correctiveActionClosed:process:corrective-action',
      'draftNotice:cs',
      'approveNotice:mg',
    ]) {
      expect(steps).toContain(s);
    }
    expect(steps.filter((s) => s.startsWith('recordResponse:owner:'))).toHaveLength(332);
    expect(steps.filter((s) => s === 'recordResponse:ca')).toHaveLength(30);
    expect(trail.find((e) => e.eventType === 'drawSample')?.payload.seed).toEqual(expect.any(Number));
    const ca2Trail = (await call('get', 'au', `/instances/${ca2.id}/audit`)).body.items.map(
      (e: { eventType: string; actor: string }) => `${e.eventType}:${e.actor}`,
    );
    expect(ca2Trail).toEqual([
      '$start:process:survey-round',
      'overdue:system',
      'reportDone:dh',
      'verify:vf2',
      'reportDone:dh',
      'verify:vf2',
      'recordFeedback:cs',
      'recordSpotCheck:mg',
    ]);
    expect((await call('get', 'au', '/audit/verify')).body).toMatchObject({ ok: true });
  }, 240_000);
});
