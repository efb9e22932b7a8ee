/**
 * `via: service` over real HTTP on both databases: the survey round's data-bearing events
 * (importRoster, drawSample, issueTokens, recordResponse) are refused as plain events with a
 * message naming the API to use, are not offered as available events, and go through the
 * survey API for the people their roles name, recorded with those people's own roles.
 */
import { ManualClock } from '../../src/common/clock';
import { DRIVERS } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';

describe.each(DRIVERS)('events sent only through their service on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-05-04T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver, { clock });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    const users: Record<string, string[]> = { cs: ['cs_supervisor'], ca: ['cs_assistant'], mg: ['manager'], au: ['auditor'] };
    for (const [name, roles] of Object.entries(users)) auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
  }, 60_000);
  afterAll(() => h.close());

  const { call, send } = apiAs(() => h, auth);
  const available = async (user: string, id: string) =>
    ((await call('get', user, `/instances/${id}/events/available`)).body.items as { type: string }[]).map((e) => e.type);

  it('refuses a plain send naming the API, and takes the same event through the service', async () => {
    const round = (
      await call('post', 'cs', '/survey/rounds', { project: '翠湖花园三期', serviceCenter: '翠湖花园客户服务中心', batch: '2026-05', stage: '稳定期' })
    ).body;
    const id = round.id as string;
    await send('cs', id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1, sampleSize: 3 });
    await send('mg', id, 'approvePlan');

    // importRoster: refused as a plain event even for a role the event names; not offered.
    const refused = await send('ca', id, 'importRoster', { fileName: 'r.csv', sha256: 'a'.repeat(64), households: 1, occupied: 1, specialRemarks: 0 }, [403]);
    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      message:
        "'importRoster' (导入业主名单) can only be sent through the application service of 'survey-round', which records its data in the same step: use PUT /survey/rounds/:id/roster; it cannot be sent as a plain event (POST /instances/:id/events)",
    });
    expect(await available('ca', id)).toEqual([]);
    expect(await available('cs', id)).toEqual(['freezeRoster']);
    expect((await call('get', 'cs', `/instances/${id}`)).body.context.roster).toBeUndefined();
    // The service: the manager is not among the event's roles; the CS assistant is.
    await h.http
      .put(`/survey/rounds/${id}/roster`)
      .set(auth.mg)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(rosterCsv(rosterRows(20))))
      .expect(403);
    await h.http
      .put(`/survey/rounds/${id}/roster`)
      .set(auth.ca)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(rosterCsv(rosterRows(20))))
      .expect(200);
    await send('cs', id, 'freezeRoster');

    // drawSample and issueTokens, likewise.
    expect(
      (await send('cs', id, 'drawSample', { seed: 1, eligible: 17, required: 4, size: 1, fromFresh: 1, fromPrevious: 0, households: ['1栋-1-102'] }, [403]))
        .message,
    ).toContain('use POST /survey/rounds/:id/sample');
    await call('post', 'cs', `/survey/rounds/${id}/sample`);
    expect((await send('cs', id, 'issueTokens', { issued: 4 }, [403])).message).toContain('use POST /survey/rounds/:id/tokens');
    const tokens = (await call('post', 'cs', `/survey/rounds/${id}/tokens`)).body.tokens as { householdId: string; token: string }[];

    // recordResponse: a plain send cannot fake a returned form; the owners' page and paper entry can.
    const fake = await send('ca', id, 'recordResponse', { householdId: tokens[0].householdId, channel: 'paper', answers: { ratings: {} } }, [403]);
    expect(fake.message).toContain('use POST /survey/answer/:token (owners, online) or POST /survey/rounds/:id/responses (paper forms)');
    expect(await available('ca', id)).toEqual([]);
    await h.http
      .post(`/survey/answer/${tokens[0].token}`)
      .send({ ratings: { order: 'satisfied' } })
      .expect(201);
    await call('post', 'ca', `/survey/rounds/${id}/responses`, { householdId: tokens[1].householdId, answers: { ratings: { order: 'neutral' } } });
    expect((await call('get', 'cs', `/instances/${id}`)).body.context.returned).toBe(2);

    const trail = (await call('get', 'au', `/instances/${id}/audit`)).body.items as { eventType: string; actor: string; actorRoles: string[] }[];
    expect(
      trail
        .filter((e) => ['importRoster', 'drawSample', 'issueTokens', 'recordResponse'].includes(e.eventType))
        .map((e) => `${e.eventType}:${e.actor}:${e.actorRoles.join(',')}`),
    ).toEqual([
      'importRoster:ca:cs_assistant',
      'drawSample:cs:cs_supervisor',
      'issueTokens:cs:cs_supervisor',
      `recordResponse:owner:${tokens[0].householdId}:owner`,
      'recordResponse:ca:cs_assistant',
    ]);
    expect((await call('get', 'au', '/audit/verify')).body).toMatchObject({ ok: true });
  });
});
