/**
 * Issue 12 items 1–3, end to end over real HTTP (SQLite and PostgreSQL), the clock moved by hand:
 *
 * 1. A pause holds exactly the rounds of its project/phase, found by the rounds' declared
 *    correlation key (`project`), never by a business-key prefix: pausing 翠湖 leaves the
 *    rounds of 翠湖-二期 (whose keys start the same) alone.
 * 2. A pause during collection suspends the collection deadline; on resume the remaining time
 *    runs again (`rules.collectionResume: remaining`), or the full period when the process owner
 *    sets it to `full`; the resuming audit entry says which and names the new due time.
 * 3. An extension requested before the pause ends and still awaiting approval when the period
 *    ends holds the pause until it is decided: approved, the pause goes on to the new end;
 *    declined after the end, the rounds resume then.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../src/common/clock';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';
import { DRIVERS, REPO_ROOT } from '../support/databases';
import { apiAs, PASSWORD, startHarness, type Harness } from '../support/http-harness';

const DAY = 24 * 3600 * 1000;

interface Timer {
  eventType: string;
  status: string;
  dueAt: string;
}
interface Entry {
  eventType: string;
  effects: { timers: { event: string; dueAt: string; resumed?: Record<string, unknown> }[] };
}

describe.each(DRIVERS)('pauses hold their own project, keep the collection window and wait for a timely extension on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date('2026-03-02T01:00:00.000Z'));
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
    await h.engine.definitions.registerDirectory(h.engine.config.definitionsDir, 'system');
    const users: Record<string, string[]> = {
      cs: ['cs_supervisor'],
      mg: ['manager'],
      ca: ['cs_assistant'],
      region: ['regional_cr'],
      head: ['project_head'],
      gcr: ['group_cr'],
      au: ['auditor'],
      po: ['process_owner'],
    };
    for (const [name, roles] of Object.entries(users)) auth[name] = { Authorization: `Bearer ${await h.user(name, roles)}` };
  }, 60_000);
  afterAll(() => h.close());

  const { call, send, get } = apiAs(() => h, auth);
  /** Runs due timers and delivers the outbox until nothing is left (a hold or resume is two hops). */
  const work = async () => {
    for (let i = 0; i < 4; i += 1) await h.engine.runDueWork();
  };

  async function signInAgain() {
    for (const name of Object.keys(auth)) {
      const res = await h.http.post('/auth/token').send({ username: name, password: PASSWORD }).expect(200);
      auth[name] = { Authorization: `Bearer ${res.body.token}` };
    }
  }

  async function approvedRound(project: string, batch: string) {
    const round = (await call('post', 'cs', '/survey/rounds', { project, serviceCenter: `${project}客户服务中心`, batch, stage: '稳定期' })).body;
    await send('cs', round.id, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 });
    await send('mg', round.id, 'approvePlan');
    return round.id as string;
  }

  async function collectingRound(project: string, batch: string) {
    const id = await approvedRound(project, batch);
    const csv = Buffer.from(rosterCsv(rosterRows(20)), 'utf8');
    await h.http.put(`/survey/rounds/${id}/roster?fileName=roster.csv`).set(auth.ca).set('Content-Type', 'text/csv').send(csv).expect(200);
    await send('cs', id, 'freezeRoster');
    await call('post', 'cs', `/survey/rounds/${id}/sample`);
    await call('post', 'cs', `/survey/rounds/${id}/tokens`);
    expect((await get('cs', id)).state).toBe('collecting');
    return id;
  }

  /** A pause request approved by region and group, for the period given. */
  async function approvedPause(no: string, project: string, startsAt: Date, endsAt: Date) {
    const pause = (
      await call('post', 'head', '/instances', {
        definition: 'pause-request',
        businessKey: no,
        context: {
          requestNo: no,
          project,
          reason: '台风“海葵”造成小区严重受损',
          impact: '业主临时安置，无法正常入户调研',
          startsAt: startsAt.toISOString(),
          endsAt: endsAt.toISOString(),
        },
      })
    ).body.id as string;
    await send('head', pause, 'submit');
    await send('region', pause, 'approve', { opinion: '同意' });
    expect((await send('gcr', pause, 'approve', { opinion: '同意' })).state).toBe('scheduled');
    return pause;
  }

  const timersOf = async (id: string) => (await call('get', 'au', `/instances/${id}/timers`)).body.items as Timer[];
  const trailOf = async (id: string) => (await call('get', 'au', `/instances/${id}/audit`)).body.items as Entry[];

  it('holds exactly the rounds of the paused project, not those of a project whose name starts the same', async () => {
    const mine = await approvedRound('翠湖', '2026-03');
    const other = await approvedRound('翠湖-二期', '2026-03');
    const start = new Date(clock.now().getTime() + 3600_000);
    const pause = await approvedPause('PA-C1', '翠湖', start, new Date(start.getTime() + 10 * DAY));
    clock.set(start);
    await work();
    expect((await get('au', pause)).state).toBe('paused');
    expect((await get('cs', mine)).state).toBe('held');
    expect((await get('cs', other)).state).toBe('roster');
    const delivered = (await call('get', 'au', `/instances/${pause}/outbox`)).body.items.find((m: { kind: string }) => m.kind === 'emit');
    expect(delivered).toMatchObject({ status: 'delivered', params: { event: 'hold', definition: 'survey-round', where: { project: '翠湖' } } });
    expect(delivered.result.delivered.map((d: { instanceId: string }) => d.instanceId)).toEqual([mine]);

    // The end of the pause resumes the same round and nothing else.
    clock.set(new Date(start.getTime() + 10 * DAY + 1000));
    await work();
    expect((await get('cs', mine)).state).toBe('roster');
    expect((await get('cs', other)).state).toBe('roster');
  });

  it('resumes a paused collection with the time that was left, and the audit says so with the new due time', async () => {
    clock.set('2026-11-02T01:00:00.000Z');
    await signInAgain();
    const round = await collectingRound('碧水湾', '2026-11');
    const deadline = (await get('cs', round)).context.collectionDeadline;
    expect(deadline).toBe('2026-11-09T01:00:00.000Z');
    const pause = await approvedPause('PA-C2', '碧水湾', new Date('2026-11-03T01:00:00.000Z'), new Date('2026-11-20T01:00:00.000Z'));
    clock.set('2026-11-03T01:00:00.000Z');
    await work();
    expect((await get('cs', round)).state).toBe('held');
    expect((await timersOf(round)).find((t) => t.eventType === 'collectionDeadline')).toMatchObject({ status: 'suspended' });

    clock.set('2026-11-20T01:00:00.000Z');
    await work();
    expect((await get('au', pause)).state).toBe('ended');
    const resumed = await get('cs', round);
    expect(resumed.state).toBe('collecting');
    // 6 days were left on 11-03 (deadline 11-09): due 6 days after the resume.
    const pending = (await timersOf(round)).filter((t) => t.eventType === 'collectionDeadline' && t.status === 'pending');
    expect(pending.map((t) => t.dueAt)).toEqual(['2026-11-26T01:00:00.000Z']);
    const entry = (await trailOf(round)).find((e) => e.eventType === 'resume');
    expect(entry?.effects.timers).toEqual([
      expect.objectContaining({
        event: 'collectionDeadline',
        dueAt: '2026-11-26T01:00:00.000Z',
        resumed: expect.objectContaining({ mode: 'remaining', suspendedAt: '2026-11-03T01:00:00.000Z', previousDueAt: '2026-11-09T01:00:00.000Z' }),
      }),
    ]);
    expect(resumed.context.collectionDeadline).toBe('2026-11-26T01:00:00.000Z');

    // Still collecting the day after; the deadline closes it when it comes.
    clock.set('2026-11-21T01:00:00.000Z');
    await work();
    expect((await get('cs', round)).state).toBe('collecting');
    clock.set('2026-11-26T01:00:01.000Z');
    await work();
    expect((await get('cs', round)).state).toBe('belowThreshold');
  });

  it('keeps the pause while an extension asked in time awaits its decision after the period ended', async () => {
    clock.set('2026-12-01T01:00:00.000Z');
    await signInAgain();
    const round = await approvedRound('云栖', '2026-12');
    const start = new Date('2026-12-01T02:00:00.000Z');
    const end = new Date(start.getTime() + 5 * DAY);
    const pause = await approvedPause('PA-C3', '云栖', start, end);
    clock.set(start);
    await work();
    expect((await get('cs', round)).state).toBe('held');

    // Asked a day before the end; the approver is late.
    clock.set(new Date(end.getTime() - DAY));
    const newEnd = new Date(end.getTime() + 5 * DAY);
    await send('head', pause, 'requestExtension', { endsAt: newEnd.toISOString(), reason: '修复工程延期' });
    clock.set(new Date(end.getTime() + 3600_000));
    await work();
    expect((await get('au', pause)).state).toBe('extensionRequested');
    expect((await get('cs', round)).state).toBe('held');

    const approved = await send('gcr', pause, 'approveExtension', { opinion: '同意延期' });
    expect(approved.state).toBe('paused');
    expect(approved.context.endsAt).toBe(newEnd.toISOString());
    await work();
    expect((await get('cs', round)).state).toBe('held');
    clock.set(new Date(newEnd.getTime() + 1000));
    await work();
    expect((await get('au', pause)).state).toBe('ended');
    expect((await get('cs', round)).state).toBe('roster');
  });

  it('resumes the rounds when a timely extension is declined after the period ended', async () => {
    clock.set('2027-01-04T01:00:00.000Z');
    await signInAgain();
    const round = await approvedRound('云栖二期', '2027-01');
    const start = new Date('2027-01-04T02:00:00.000Z');
    const end = new Date(start.getTime() + 5 * DAY);
    const pause = await approvedPause('PA-C4', '云栖二期', start, end);
    clock.set(start);
    await work();
    clock.set(new Date(end.getTime() - DAY));
    await send('head', pause, 'requestExtension', { endsAt: new Date(end.getTime() + 5 * DAY).toISOString(), reason: '修复工程延期' });
    clock.set(new Date(end.getTime() + 3600_000));
    await work();
    expect((await get('cs', round)).state).toBe('held');
    const declined = await send('gcr', pause, 'declineExtension', { reason: '已具备调研条件' });
    expect(declined.state).toBe('ended');
    await work();
    expect((await get('cs', round)).state).toBe('roster');
  });
  it('restarts the full collection period on resume when the process owner sets rules.collectionResume to full', async () => {
    const yaml = readFileSync(join(REPO_ROOT, 'definitions', 'survey-round.yaml'), 'utf8');
    const full = yaml.replace(/(collectionResume:[\s\S]*?value: )remaining/, '$1full');
    expect(full).not.toBe(yaml);
    await h.http.post('/definitions?file=survey-round.yaml').set(auth.po).set('Content-Type', 'application/yaml').send(full).expect(201);
    clock.set('2027-03-01T01:00:00.000Z');
    await signInAgain();
    const round = await collectingRound('碧水湾二期', '2027-03');
    expect((await get('cs', round)).context.collectionDeadline).toBe('2027-03-08T01:00:00.000Z');
    await approvedPause('PA-C5', '碧水湾二期', new Date('2027-03-02T01:00:00.000Z'), new Date('2027-03-10T01:00:00.000Z'));
    clock.set('2027-03-02T01:00:00.000Z');
    await work();
    expect((await get('cs', round)).state).toBe('held');
    clock.set('2027-03-10T01:00:00.000Z');
    await work();
    const resumed = await get('cs', round);
    expect(resumed.state).toBe('collecting');
    // The whole 7-day period again from the resume.
    expect(resumed.context.collectionDeadline).toBe('2027-03-17T01:00:00.000Z');
    const entry = (await trailOf(round)).find((e) => e.eventType === 'resume');
    expect(entry?.effects.timers).toEqual([
      expect.objectContaining({ dueAt: '2027-03-17T01:00:00.000Z', resumed: expect.objectContaining({ mode: 'full', durationMs: 7 * DAY }) }),
    ]);
  });
  it('reaches the rounds started under a version without correlation keys once a version declaring them is uploaded', async () => {
    const yaml = readFileSync(join(REPO_ROOT, 'definitions', 'survey-round.yaml'), 'utf8');
    const before = yaml.replace(/^correlation: \[project\]$/m, '');
    expect(before).not.toBe(yaml);
    await h.http.post('/definitions?file=survey-round.yaml').set(auth.po).set('Content-Type', 'application/yaml').send(before).expect(201);
    clock.set('2027-04-01T01:00:00.000Z');
    await signInAgain();
    const old = await approvedRound('旧版本花园', '2027-04');
    // The upgrade: the version that declares the key indexes the round running since before it.
    await h.http.post('/definitions?file=survey-round.yaml').set(auth.po).set('Content-Type', 'application/yaml').send(`${yaml}# upgraded\n`).expect(201);
    const start = new Date('2027-04-01T02:00:00.000Z');
    await approvedPause('PA-C6', '旧版本花园', start, new Date(start.getTime() + 3 * DAY));
    clock.set(start);
    await work();
    expect((await get('cs', old)).state).toBe('held');
  });
});
