/**
 * Issue 12, item 9: every refusal a bundled process can give reads, in `userMessage`, as plain
 * Chinese that says what to do; `message` stays the developer's English.
 *
 * Part one walks the loaded definitions (no list kept here): for every state and every event it
 * derives, through the compiled machine the engine sends every event through and the HTTP
 * layer's `errorBody`, the refusals "not accepted now", "not your role", "only through the
 * application service", "you asked, you may not decide" and "the data does not fit the form",
 * and reads every `reject:` text the process owner wrote. A reject whose text is computed by a
 * domain function must be driven over HTTP in part two (the list below is checked against the
 * definitions, so a new one cannot be forgotten).
 *
 * Part two drives refusals over real HTTP on both databases: a `reject:` (its text becomes the
 * userMessage as written), engine refusals, the participation table's refusal, and a paused
 * round refusing a paper form and an owner's online answer (it must say the round is paused,
 * not that the collection is closed).
 */
import { AppError } from '../../src/common/app-error';
import { ManualClock } from '../../src/common/clock';
import type { IncomingEvent, ProcessMachine } from '../../src/compiler/process-machine.contract';
import type { EventDefinition } from '../../src/definitions/definition.types';
import { errorBody } from '../../src/http/app-error.filter';
import { rosterCsv, rosterRows } from '../fixtures/survey/roster-fixture';
import { DRIVERS } from '../support/databases';
import { apiAs, startHarness, type Harness } from '../support/http-harness';
import { latinWords, schemaNames } from '../support/people-text';

const PROJECT = '翠湖花园一期';
const DAY = 24 * 3600 * 1000;
const NOW = '2026-03-02T01:00:00.000Z';

/** Rejects whose text a domain function computes (`definition/state/event`), each driven over HTTP below. */
const DOMAIN_TEXT_REJECTS = ['survey-round/planning/submitPlan'];

interface Refusal {
  readonly where: string;
  readonly userMessage: string;
  /** What the message must name so the person knows what was refused (the event's title). */
  readonly names?: string;
  /** A fragment of the owner's text (a string literal of a computed reject), not a whole message. */
  readonly fragment?: boolean;
}

/** The userMessage the HTTP layer would answer with, for a refusal the machine throws. */
function refusalOf(where: string, fn: () => unknown, names?: string): Refusal | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!(err instanceof AppError)) return { where: `${where} (not an AppError: ${String(err)})`, userMessage: String(err) };
    // Refusals about the event itself name it; a failure further on (an expression, the context) need not.
    const aboutEvent = ['EVENT_NOT_ACCEPTED', 'FORBIDDEN', 'PAYLOAD_INVALID'].includes(err.code);
    return { where: `${where} [${err.code}]`, userMessage: String(errorBody(err).userMessage), ...(aboutEvent && names ? { names } : {}) };
  }
}

/** The string literals of a CEL expression (the owner's words in a computed reject). */
function stringLiterals(source: string): string[] {
  return [...source.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
}

/** Payloads that break an event's form in every way a schema can say: missing, unknown, wrong type, empty. */
function badPayloads(event: EventDefinition): Record<string, unknown>[] {
  const props = Object.entries((event.payloadSchema.properties ?? {}) as Record<string, { type?: string }>);
  return [
    {},
    { 未知字段: 1 },
    Object.fromEntries(props.map(([k]) => [k, [[]]])),
    Object.fromEntries(props.map(([k, s]) => [k, s.type === 'string' ? '' : s.type === 'integer' || s.type === 'number' ? -1 : '?'])),
  ];
}

/** Every refusal the machine of one definition can give, by state and event. */
function walk(key: string, machine: ProcessMachine): { refusals: Refusal[]; domainRejects: string[] } {
  const def = machine.definition;
  const refusals: Refusal[] = [];
  const domainRejects: string[] = [];
  const push = (r: Refusal | undefined) => r && refusals.push(r);
  const leaves = Object.values(def.states).filter((s) => s.children.length === 0);
  const allTypes = [...new Set(Object.values(def.states).flatMap((s) => Object.keys(s.on)))];
  const stranger = { id: 'stranger', roles: ['no_such_role'] };
  const titleOf = (type: string) =>
    Object.values(def.states)
      .map((s) => s.on[type]?.title)
      .find((t) => t !== undefined) ?? type;
  for (const leaf of leaves) {
    const accepted = machine.acceptedEvents(leaf.name);
    for (const type of allTypes.filter((t) => !accepted.some((a) => a.event.type === t))) {
      const title = titleOf(type);
      push(refusalOf(`${key}/${leaf.name}/${type} not accepted`, () => machine.send(leaf.name, {}, { type, payload: {}, actor: stranger, now: NOW }), title));
    }
    for (const { state, event } of accepted) {
      const at = `${key}/${leaf.name}/${event.type}`;
      const base: Omit<IncomingEvent, 'actor'> = { type: event.type, payload: {}, now: NOW, viaService: true };
      const title = event.title ?? event.type;
      push(refusalOf(`${at} by a stranger`, () => machine.send(leaf.name, {}, { ...base, actor: stranger }), title));
      if (event.via === 'service') {
        push(
          refusalOf(`${at} as a plain event`, () => machine.send(leaf.name, {}, { ...base, viaService: false, actor: { id: 'u', roles: event.roles } }), title),
        );
      }
      if (event.roles.length === 0) continue;
      const actor = { id: 'u1', roles: [event.roles[0]] };
      if (event.notBy?.length) {
        push(refusalOf(`${at} by who asked`, () => machine.send(leaf.name, {}, { ...base, actor, lastSenders: { [event.notBy![0]]: actor.id } })));
      }
      badPayloads(event).forEach((payload, i) =>
        push(refusalOf(`${at} bad payload ${i}`, () => machine.send(leaf.name, {}, { ...base, actor, payload }), title)),
      );
      if (state !== leaf.name) continue; // each declaration's rejects once
      for (const branch of event.branches) {
        if (!branch.reject) continue;
        if (branch.reject.kind === 'literal') refusals.push({ where: `${at} reject`, userMessage: String(branch.reject.value) });
        else {
          const literals = stringLiterals(branch.reject.expression.source);
          if (literals.length === 0) domainRejects.push(`${key}/${state}/${event.type}`);
          for (const text of literals) refusals.push({ where: `${at} reject (${branch.reject.expression.source})`, userMessage: text, fragment: true });
        }
      }
    }
  }
  return { refusals, domainRejects };
}

describe.each(DRIVERS)('messages to people in their language on %s', (driver) => {
  let h: Harness;
  const clock = new ManualClock(new Date(NOW));
  const auth: Record<string, { Authorization: string }> = {};

  beforeAll(async () => {
    h = await startHarness(driver, { clock, env: { WF_TOKEN_TTL_MINUTES: String(60 * 24 * 30) } });
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
  }, 60_000);
  afterAll(() => h.close());

  const { call, send, get } = apiAs(() => h, auth);
  const work = () => h.engine.runDueWork();

  it('walks every refusal of every bundled definition: no English in the message for people', async () => {
    const versions = await h.engine.definitions.list();
    expect(versions.map((v) => v.key)).toEqual(expect.arrayContaining(['complaint', 'exclusion-request', 'pause-request', 'survey-round']));
    const offenders: string[] = [];
    const domainRejects: string[] = [];
    let count = 0;
    for (const v of versions) {
      const machine = await h.engine.definitions.machine(v.id);
      // Field names and codes the definition declares may be quoted (codes, field names aside).
      const names = schemaNames(machine.definition.contextSchema);
      for (const s of Object.values(machine.definition.states)) for (const e of Object.values(s.on)) schemaNames(e.payloadSchema, names);
      const walked = walk(v.key, machine);
      domainRejects.push(...walked.domainRejects);
      count += walked.refusals.length;
      for (const r of walked.refusals) {
        const latin = latinWords(r.userMessage, names);
        const unnamed = r.names !== undefined && !r.userMessage.includes(r.names);
        if (latin.length > 0 || unnamed || (!r.fragment && !/[\u4e00-\u9fff]/.test(r.userMessage))) offenders.push(`${r.where}: ${r.userMessage}`);
      }
    }
    expect(count).toBeGreaterThan(500);
    expect(offenders).toEqual([]);
    expect(domainRejects.sort()).toEqual([...DOMAIN_TEXT_REJECTS].sort());
  });

  it('refuses starting a case of every bundled definition in Chinese: not your role, and data that does not fit', async () => {
    const versions = await h.engine.definitions.list();
    const roles = new Set<string>();
    for (const v of versions) for (const r of (await h.engine.definitions.machine(v.id)).definition.startRoles) roles.add(r);
    roles.delete('system'); // the engine's own
    auth.starter = { Authorization: `Bearer ${await h.user('starter', [...roles])}` };
    const offenders: string[] = [];
    let checked = 0;
    for (const v of versions) {
      const def = (await h.engine.definitions.machine(v.id)).definition;
      const names = schemaNames(def.contextSchema);
      const check = (what: string, body: { code: string; userMessage: string }, code: string) => {
        checked++;
        if (body.code !== code || latinWords(body.userMessage, names).length > 0 || !body.userMessage.includes(def.title))
          offenders.push(`${v.key} ${what}: ${body.code} ${body.userMessage}`);
      };
      const start = { definition: v.key, businessKey: `S-${v.key}`, context: {} };
      const people = def.startRoles.filter((r) => r !== 'system');
      if (people.length > 0 && !people.includes('auditor')) {
        check('by a stranger', (await call('post', 'au', '/instances', start, [403])).body, 'FORBIDDEN');
      }
      if (people.length > 0) {
        const bad = await call('post', 'starter', '/instances', { ...start, context: { 未知字段: 1 } }, [422, 201]);
        if (bad.status === 422) check('with bad data', bad.body, 'CONTEXT_INVALID');
      }
    }
    expect(checked).toBeGreaterThanOrEqual(versions.length);
    expect(offenders).toEqual([]);
  });

  it('tells what to do when an event is not accepted now, not allowed, or its data does not fit (complaint over HTTP)', async () => {
    const complaint = (
      await call('post', 'ca', '/instances', {
        definition: 'complaint',
        businessKey: `C-${driver}-1`,
        context: {
          receivedAt: '2026-03-02T09:00:00+08:00',
          complainant: '李先生',
          unit: '3栋1201',
          contact: '13800000000',
          channel: '来电/传真',
          content: '门岗抬杆',
        },
      })
    ).body.id as string;

    // A reject: the process owner's words are the message for people, with no English prefix.
    const invalid = await send('ca', complaint, 'classify', { valid: false }, [409]);
    expect(invalid.code).toBe('GUARD_REJECTED');
    expect(invalid.message).toMatch(/^'classify' was refused: /);
    expect(invalid.userMessage).toBe('无效投诉须填写无效原因，以便告知投诉人');

    // Not accepted in this state: says what the case is waiting for.
    const early = await send('ca', complaint, 'reply', { result: '已修复' }, [409]);
    expect(early.code).toBe('EVENT_NOT_ACCEPTED');
    expect(latinWords(early.userMessage)).toEqual([]);
    expect(early.userMessage).toContain('已登记（顾客投诉记录）');
    expect(early.userMessage).toContain('分类（有效/无效）');

    // Not the person's role: names who may.
    const notMine = await send('mg', complaint, 'classify', { valid: true, category: '管理服务', severity: '一般' }, [403]);
    expect(notMine.code).toBe('FORBIDDEN');
    expect(latinWords(notMine.userMessage)).toEqual([]);
    expect(notMine.userMessage).toContain('客服助理');

    // The data does not fit the form: says which field.
    const bad = await send('ca', complaint, 'classify', { valid: 'yes' }, [422]);
    expect(bad.code).toBe('PAYLOAD_INVALID');
    expect(bad.message).toContain('$.valid');
    expect(latinWords(bad.userMessage, new Set(['valid']))).toEqual([]);
    expect(bad.userMessage).toContain('分类（有效/无效）');
  });

  it('refuses a stage the participation table does not survey in Chinese, naming the rule and who may decide', async () => {
    const round = (await call('post', 'cs', '/survey/rounds', { project: PROJECT, serviceCenter: '翠湖花园客户服务中心', batch: '2026-06', stage: '老业主' }))
      .body.id as string;
    await send('cs', round, 'declareProject', {
      projectFacts: {
        productType: '公寓(含居住功能)',
        brand: true,
        completedHomeSale: false,
        roles: { lead: true, sales: 'responsible', delivery: 'responsible', afterDelivery: 'responsible', property: 'responsible' },
      },
    });
    const refused = await send('cs', round, 'submitPlan', { method: '上门发放', questionnaireVersion: 1 }, [409]);
    expect(refused.message).toContain('P2');
    expect(refused.userMessage).toContain('P2');
    expect(refused.userMessage).toContain('老业主');
    expect(refused.userMessage).toContain('集团客户关系部');
    expect(latinWords(refused.userMessage)).toEqual([]);
  });

  it('says a paused round is paused when staff enter a paper form or an owner answers online', async () => {
    clock.set('2026-04-01T01:00:00.000Z');
    for (const name of Object.keys(auth)) {
      const res = await h.http.post('/auth/token').send({ username: name, password: 'correct horse battery' });
      auth[name] = { Authorization: `Bearer ${res.body.token}` };
    }
    const round = (await call('post', 'cs', '/survey/rounds', { project: PROJECT, serviceCenter: '翠湖花园客户服务中心', batch: '2026-04', stage: '稳定期' }))
      .body.id as string;
    await send('cs', round, 'submitPlan', { method: '上门发放', questionnaireVersion: 1, sampleSize: 15 });
    await send('mg', round, 'approvePlan');
    // A bad roster: every problem told in Chinese, by row and column as the spreadsheet names them.
    const badCsv = Buffer.from('楼栋,单元,房号,业主姓名,电话,是否入住\n1栋,1,101,王伟,12345,也许\n', 'utf8');
    const badRoster = await h.http
      .put(`/survey/rounds/${round}/roster?fileName=roster.csv`)
      .set(auth.ca)
      .set('Content-Type', 'text/csv')
      .send(badCsv)
      .expect(422);
    expect(badRoster.body.code).toBe('ROSTER_INVALID');
    expect(badRoster.body.userMessage).toContain('第 2 行的「是否入住」填的是“也许”');
    expect(latinWords(badRoster.body.userMessage)).toEqual([]);
    const csv = Buffer.from(rosterCsv(rosterRows(60)), 'utf8');
    await h.http.put(`/survey/rounds/${round}/roster?fileName=roster.csv`).set(auth.ca).set('Content-Type', 'text/csv').send(csv).expect(200);
    await send('cs', round, 'freezeRoster');
    await call('post', 'cs', `/survey/rounds/${round}/sample`);
    const tokens = (await call('post', 'cs', `/survey/rounds/${round}/tokens`)).body.tokens as { householdId: string; token: string }[];
    expect((await get('cs', round)).state).toBe('collecting');

    const start = new Date(clock.now().getTime() + 3600_000);
    const pause = (
      await call('post', 'head', '/instances', {
        definition: 'pause-request',
        businessKey: `PA-${driver}`,
        context: {
          requestNo: `PA-${driver}`,
          project: PROJECT,
          reason: '台风“海葵”造成小区严重受损',
          impact: '业主临时安置，无法正常入户调研',
          startsAt: start.toISOString(),
          endsAt: new Date(start.getTime() + 10 * DAY).toISOString(),
        },
      })
    ).body.id as string;
    await send('head', pause, 'submit');
    await send('region', pause, 'approve', { opinion: '同意' });
    await send('gcr', pause, 'approve', { opinion: '同意' });
    clock.set(start);
    await work();
    await work();
    expect((await get('cs', round)).state).toBe('held');

    const ratings = { order: 'satisfied' };
    const paper = await call('post', 'ca', `/survey/rounds/${round}/responses`, { householdId: tokens[0].householdId, answers: { ratings } }, [409]);
    expect(paper.body.userMessage).toContain('暂停');
    expect(paper.body.userMessage).not.toContain('结束');
    expect(latinWords(paper.body.userMessage)).toEqual([]);
    expect(paper.body.message).not.toContain('the collection is closed');

    const online = await h.http.post(`/survey/answer/${tokens[1].token}`).send({ ratings }).expect(409);
    expect(online.body.userMessage).toContain('暂停');
    expect(online.body.userMessage).not.toContain('结束');
    // The owner's page shows the message for people, not the developer's.
    const page = await h.http.get(`/survey/answer/${tokens[1].token}`).expect(409);
    const shown = /<p class="err">([^<]*)<\/p>/.exec(page.text)?.[1] ?? '';
    expect(shown).toContain('暂停');
    expect(latinWords(shown)).toEqual([]);
  });
});
