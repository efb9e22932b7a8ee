/**
 * Issue 4, bad input: malformed and duplicate rosters, a roster before the plan is approved or
 * after it is frozen, an unknown stage, a round whose response rate stays below the threshold
 * (statistics refused, collection extended, then closed as invalid, its tokens expired). Each
 * is a clear error and leaves what was stored untouched.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { startHarness, type Harness } from '../support/http-harness';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';

const DAY = 24 * 3600 * 1000;

describe.each(DRIVERS)('survey round bad input on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-04-01T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    for (const [name, roles] of Object.entries({ cs: ['cs_supervisor'], mg: ['manager'], dh: ['dept_head'] })) {
      auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
    }
  }, 60_000);
  afterAll(() => h.close());

  const send = (user: string, id: string, type: string, payload: Record<string, unknown> = {}) =>
    h.http.post(`/instances/${id}/events`).set(auth[user]).send({ type, payload });
  const upload = (id: string, body: string | Buffer, type = 'text/csv') =>
    h.http.put(`/survey/rounds/${id}/roster?fileName=r.csv`).set(auth.cs).set('Content-Type', type).send(Buffer.from(body));

  it('refuses bad rosters, keeps the stored one, and never publishes figures of an invalid round', async () => {
    const unknownStage = await h.http
      .post('/survey/rounds')
      .set(auth.cs)
      .send({ project: 'P', serviceCenter: 'S', batch: '2026-04', stage: '准3' })
      .expect(400);
    expect(unknownStage.body.message).toMatch(/unknown stage '准3'/);
    const round = (await h.http.post('/survey/rounds').set(auth.cs).send({ project: 'P', serviceCenter: 'S', batch: '2026-04', stage: '老业主' }).expect(201))
      .body;
    const id = round.id as string;
    const rows = rosterRows(40);

    // Before the plan is approved nothing can be imported.
    expect((await upload(id, rosterCsv(rows)).expect(409)).body.message).toMatch(/plan must be approved/);
    await send('cs', id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 }).expect(200);
    await send('mg', id, 'approvePlan').expect(200);

    await upload(id, rosterCsv(rows)).expect(200);
    const before = (await h.http.get(`/survey/rounds/${id}/households`).set(auth.cs).expect(200)).body.items;
    expect(before).toHaveLength(40);

    // Duplicate households, a bad occupied value, an unreadable workbook, an empty body: refused whole.
    const duplicate = rosterCsv([...rows.slice(0, 5), rows[2], { ...rows[6], occupied: '也许' as '是' }]);
    const dup = (await upload(id, duplicate).expect(422)).body;
    expect(dup.code).toBe('ROSTER_INVALID');
    expect(dup.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 7, column: '房号', message: expect.stringMatching(/appears twice, on rows 4 and 7/) }),
        expect.objectContaining({ row: 8, column: '是否入住', value: '也许' }),
      ]),
    );
    await upload(id, Buffer.from('PK\u0003\u0004 not really a workbook'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').expect(422);
    await upload(id, '').expect((res) => expect([400, 422]).toContain(res.status));
    const after = (await h.http.get(`/survey/rounds/${id}/households`).set(auth.cs).expect(200)).body.items;
    expect(after).toEqual(before);
    expect((await h.http.get(`/instances/${id}`).set(auth.cs)).body.context.roster.households).toBe(40);

    await send('cs', id, 'freezeRoster').expect(200);
    expect((await upload(id, rosterCsv(rows)).expect(409)).body.message).toMatch(/frozen/);

    // 34 occupied → 7 sampled; only 2 answer: 28.6% is not above 85%.
    const sample = (await h.http.post(`/survey/rounds/${id}/sample`).set(auth.cs).expect(201)).body.context.sample;
    expect(sample).toMatchObject({ eligible: 34, required: 7, size: 7 });
    const tokenCsv = (await h.http.post(`/survey/rounds/${id}/tokens?format=csv`).set(auth.cs).expect(201)).text;
    const tokens = (parseCsv(tokenCsv, { bom: true }) as string[][]).slice(1).map((cells) => cells[3]);
    expect(tokens).toHaveLength(7);
    for (const t of tokens.slice(0, 2))
      await h.http
        .post(`/survey/answer/${t}`)
        .send({ ratings: { order: 'satisfied', elevator: '' } })
        .expect(201);
    const blank = (
      await h.http
        .post(`/survey/answer/${tokens[2]}`)
        .send({ ratings: { order: 'good' } })
        .expect(422)
    ).body;
    expect(blank.errors[0].path).toBe('$.ratings.order');

    clock.advance(7 * DAY + 1000);
    await h.engine.runDueWork();
    const below = (await h.http.get(`/instances/${id}`).set(auth.cs)).body;
    expect(below.state).toBe('belowThreshold');
    expect(below.context.figures).toMatchObject({ issued: 7, returned: 2 });
    const refused = (await h.http.get(`/survey/rounds/${id}/statistics`).set(auth.mg).expect(409)).body;
    expect(refused.message).toMatch(/invalid: its response rate 28\.6% did not exceed 85\.0%/);
    await h.http.get(`/survey/rounds/${id}/statistics.xlsx`).set(auth.mg).expect(409);
    await send('cs', id, 'compile').expect(409);
    expect((await h.http.get(`/survey/answer/${tokens[3]}`).expect(409)).text).toContain('本次调查已结束');

    // Extension: a deadline in the past is refused; a new one reopens collection.
    await send('mg', id, 'extendCollection', { until: '2026-04-01T00:00:00+08:00', reason: '补发' }).expect(409);
    await send('mg', id, 'extendCollection', { until: '2026-04-12T18:00:00+08:00', reason: '部分业主出差，延长回收' }).expect(200);
    await h.http
      .post(`/survey/answer/${tokens[3]}`)
      .send({ ratings: { order: 'verySatisfied' } })
      .expect(201);
    await h.http
      .post(`/survey/answer/${tokens[3]}`)
      .send({ ratings: { order: 'verySatisfied' } })
      .expect(409);
    clock.set('2026-04-12T10:00:01.000Z');
    await h.engine.runDueWork();
    expect((await h.http.get(`/instances/${id}`).set(auth.cs)).body.state).toBe('belowThreshold');
    await send('mg', id, 'closeAsInvalid', { reason: '回收率仍未达到85%' }).expect(200);

    const closed = (await h.http.get(`/instances/${id}`).set(auth.cs)).body;
    expect(closed).toMatchObject({ state: 'invalid', status: 'completed' });
    expect(closed.context.statistics).toBeUndefined();
    expect(closed.context.extensions).toHaveLength(1);
    await h.http.get(`/survey/rounds/${id}/statistics`).set(auth.mg).expect(409);
    expect(
      (
        await h.http
          .post(`/survey/answer/${tokens[4]}`)
          .send({ ratings: { order: 'satisfied' } })
          .expect(409)
      ).body.userMessage,
    ).toMatch(/已结束/);
    const docs = (await h.http.get(`/instances/${id}/documents`).set(auth.cs).expect(200)).body;
    expect(JSON.stringify(docs)).not.toContain('survey-notice');
  }, 120_000);
});
