/**
 * Security issue item 7 over HTTP: roster fields that a spreadsheet would run as formulas, or
 * that hold a comma, come back in the printed tokens CSV as quoted text starting with a quote;
 * the columns do not shift.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { DRIVERS } from '../support/databases';
import { startHarness, type Harness } from '../support/http-harness';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';

describe.each(DRIVERS)('exports on %s', (driver) => {
  let h: Harness;
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver);
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    for (const [name, roles] of Object.entries({ cs: ['cs_supervisor'], mg: ['manager'] }))
      auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
  }, 60_000);
  afterAll(() => h.close());

  it('writes the tokens CSV with every field quoted and formula prefixes neutralised', async () => {
    const round = (await h.http.post('/survey/rounds').set(auth.cs).send({ project: 'P', serviceCenter: 'S', batch: '2026-05', stage: '老业主' }).expect(201))
      .body;
    const id = round.id as string;
    await h.http
      .post(`/instances/${id}/events`)
      .set(auth.cs)
      .send({ type: 'submitPlan', payload: { method: '上门发放', questionnaireVersion: 1 } })
      .expect(200);
    await h.http.post(`/instances/${id}/events`).set(auth.mg).send({ type: 'approvePlan', payload: {} }).expect(200);
    const rows = rosterRows(30).map((r, i) => ({
      ...r,
      building: '=HYPERLINK("http://x")',
      unit: '102,=1+2',
      room: `@SUM(A${i + 1})`,
      occupied: '是' as const,
    }));
    await h.http
      .put(`/survey/rounds/${id}/roster?fileName=r.csv`)
      .set(auth.cs)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(rosterCsv(rows)))
      .expect(200);
    await h.http.post(`/instances/${id}/events`).set(auth.cs).send({ type: 'freezeRoster', payload: {} }).expect(200);
    await h.http.post(`/survey/rounds/${id}/sample`).set(auth.cs).expect(201);

    const res = await h.http.post(`/survey/rounds/${id}/tokens?format=csv`).set(auth.cs).expect(201);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines.length).toBeGreaterThan(1);
    // Every field quoted: a plain split on '","' keeps five columns per line.
    for (const line of lines) expect(line.slice(1, -1).split('","')).toHaveLength(5);
    const table = parseCsv(res.text, { bom: true }) as string[][];
    expect(table[0]).toEqual(['楼栋', '单元', '房号', '调查码', '网址']);
    for (const cells of table.slice(1)) {
      expect(cells).toHaveLength(5);
      expect(cells[0]).toBe('\'=HYPERLINK("http://x")');
      expect(cells[1]).toBe('102,=1+2');
      expect(cells[2]).toMatch(/^'@SUM\(A\d+\)$/);
      expect(cells[4]).toBe(`/survey/answer/${cells[3]}`);
    }
  });
});
