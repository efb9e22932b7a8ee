/**
 * Security issue, item 2: no budget on expressions and patterns. Each attack below used to
 * block the service, fill its memory or answer 500; now each fails its one request with a
 * clear error and the service answers the next request. Behaviour only, no timings: a
 * backtracking regex on 5,000 characters never returns at all, so "it answers" is the proof.
 */
import { DRIVERS } from '../support/databases';
import { startHarness, type Harness } from '../support/http-harness';

const EVIL = '^(a+)+$';
/** 5,000 characters that make a backtracking engine try every way of splitting the a's. */
const EVIL_INPUT = 'a'.repeat(5000) + '!';

/** A process whose guards and payload schema are the attacker's: they may upload definitions. */
const BUDGET = `
key: budget
title: 预算
roles:
  user: { title: 用户 }
start:
  roles: [user]
context:
  type: object
  properties:
    note: { type: string }
initial: open
states:
  open:
    on:
      guess:
        roles: [user]
        payload:
          type: object
          properties:
            s: { type: string }
            p: { type: string }
        branches:
          - when: 'payload.s.matches("${EVIL.replace(/\\/g, '\\\\')}")'
            target: matched
          - when: 'has(payload.p) && payload.s.matches(payload.p)'
            target: matched
          - target: unmatched
      sign:
        roles: [user]
        payload:
          type: object
          required: [s]
          properties:
            s: { type: string, pattern: "${EVIL}" }
        target: signed
      bomb:
        roles: [user]
        payload:
          type: object
          properties:
            s: { type: string }
        when: '[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20].map(b, payload.s).join()).join().size() > 0'
        target: signed
      deep:
        roles: [user]
        target: signed
  matched: { type: final }
  unmatched: { type: final }
  signed: { type: final }
`;

/** '[[[…[]…]]]' nested `depth` times, built as text (JSON.stringify of it would overflow the stack). */
const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe.each(DRIVERS)('expression and pattern budget on %s', (driver) => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startHarness(driver);
    token = await h.user('mallory', ['user', 'process_owner']);
    const res = await upload(BUDGET);
    expect(res.status).toBe(201);
  });
  afterAll(() => h.close());

  const auth = () => ({ Authorization: `Bearer ${token}` });
  const upload = (yaml: string, file = 'budget.yaml') =>
    h.http.post(`/definitions?file=${file}`).set(auth()).set('Content-Type', 'application/yaml').send(yaml);
  async function start(businessKey: string): Promise<string> {
    const res = await h.http.post('/instances').set(auth()).send({ definition: 'budget', businessKey, context: {} });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  const send = (id: string, type: string, payload: Record<string, unknown>) => h.http.post(`/instances/${id}/events`).set(auth()).send({ type, payload });
  /** The service still answers: the instance can be read and is where it should be. */
  async function stillAnswers(id: string, state: string) {
    const res = await h.http.get(`/instances/${id}`).set(auth());
    expect(res.status).toBe(200);
    expect(res.body.state).toBe(state);
  }

  it('a catastrophic regex in a guard returns its result on 5,000 characters', async () => {
    const id = await start('B-REGEX-GUARD');
    const res = await send(id, 'guess', { s: EVIL_INPUT });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('unmatched');
    await stillAnswers(id, 'unmatched');
    const other = await start('B-REGEX-GUARD-2');
    await send(other, 'guess', { s: 'aaaa' })
      .expect(200)
      .expect((r) => expect(r.body.state).toBe('matched'));
  });

  it('a catastrophic schema pattern refuses the payload on 5,000 characters', async () => {
    const id = await start('B-REGEX-SCHEMA');
    const res = await send(id, 'sign', { s: EVIL_INPUT });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('PAYLOAD_INVALID');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: '$.s', message: expect.stringContaining('must match pattern') })]);
    await stillAnswers(id, 'open');
    await send(id, 'sign', { s: 'aaa' }).expect(200);
  });

  it('a pattern given at run time that RE2 cannot run fails that one event', async () => {
    const id = await start('B-REGEX-DYNAMIC');
    const res = await send(id, 'guess', { s: 'bb', p: '(b)\\1' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('EXPRESSION_FAILED');
    expect(res.body.message).toMatch(/back-references/);
    await stillAnswers(id, 'open');
    await send(id, 'guess', { s: 'xy', p: '^x' }).expect(200);
  });

  it('an expression that builds a huge string fails with the limit named', async () => {
    const id = await start('B-BOMB');
    const res = await send(id, 'bomb', { s: 'x'.repeat(10_000) });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('EXPRESSION_FAILED');
    expect(res.body.message).toMatch(/maxStringLength/);
    expect(res.body.message).toMatch(/65,536 characters/);
    await stillAnswers(id, 'open');
    await send(id, 'bomb', { s: 'x' }).expect(200);
  });

  it('a payload nested 100,000 arrays deep is refused with a 4xx naming the limit and the path', async () => {
    const id = await start('B-DEEP');
    const body = `{"type":"deep","payload":{"a":${nestedArrays(100_000)}}}`;
    const res = await h.http.post(`/instances/${id}/events`).set(auth()).set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BAD_REQUEST');
    expect(res.body.message).toMatch(/nested deeper than 64/);
    expect(res.body.message).toContain('$.payload.a[0][0]');
    await stillAnswers(id, 'open');
    // A context at the limit is fine; one level more is not.
    const ok = `{"type":"deep","payload":{"a":${nestedArrays(62)}}}`;
    await h.http.post(`/instances/${id}/events`).set(auth()).set('Content-Type', 'application/json').send(ok).expect(200);
    const start2 = `{"definition":"budget","businessKey":"B-DEEP-2","context":{"note":${nestedArrays(70)}}}`;
    const refused = await h.http.post('/instances').set(auth()).set('Content-Type', 'application/json').send(start2);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/\$\.context\.note(\[0\])+/);
  });

  it('refuses at upload a definition whose literal pattern RE2 cannot run, at its line and column', async () => {
    const backref = BUDGET.replace('key: budget', 'key: budget-backref').replace(`payload.s.matches("${EVIL}")`, 'payload.s.matches("(a)\\\\1")');
    const res = await upload(backref, 'backref.yaml');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('DEFINITION_INVALID');
    const lines = backref.split('\n');
    const line = lines.findIndex((l) => l.includes('(a)\\\\1')) + 1;
    const column = lines[line - 1].indexOf('"(a)') + 1;
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        file: 'backref.yaml',
        line,
        column,
        message: expect.stringMatching(/back-references/),
      }),
    ]);

    const lookahead = BUDGET.replace('key: budget', 'key: budget-lookahead').replace(`pattern: "${EVIL}"`, 'pattern: "^(?!admin)"');
    const refused = await upload(lookahead, 'lookahead.yaml');
    expect(refused.status).toBe(422);
    const patternLine = lookahead.split('\n').findIndex((l) => l.includes('(?!admin)')) + 1;
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        file: 'lookahead.yaml',
        line: patternLine,
        message: expect.stringMatching(/look-around/),
      }),
    ]);
    expect(refused.body.errors[0].column).toBe(lookahead.split('\n')[patternLine - 1].indexOf('"^(?!') + 1);
  });

  it('refuses a YAML upload nested too deep or with an alias bomb, with its position', async () => {
    const deep = BUDGET.replace('key: budget', 'key: budget-deep').replace(
      'note: { type: string }',
      `note: { type: array, default: ${nestedArrays(100_000)} }`,
    );
    const res = await upload(deep, 'deep.yaml');
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('DEFINITION_INVALID');
    expect(res.body.errors[0]).toMatchObject({ file: 'deep.yaml', line: deep.split('\n').findIndex((l) => l.includes('note:')) + 1 });
    expect(res.body.errors[0].message).toMatch(/nested deeper than 64/);

    const laughs = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ];
    const bomb = BUDGET.replace('key: budget', 'key: budget-laughs').replace('context:\n', `lol:\n${laughs.map((l) => `  ${l}`).join('\n')}\ncontext:\n`);
    const refusedBomb = await upload(bomb, 'laughs.yaml');
    expect(refusedBomb.status).toBe(422);
    expect(refusedBomb.body.errors[0].message).toMatch(/alias/);
    await h.http.get('/definitions/budget').set(auth()).expect(200);
  });
});
