/**
 * `wf simulate` and the service run the same planning and compute code, so they never
 * disagree: for the same steps at the same times, the deadlines a scenario prints (armed,
 * fired, cancelled) are the timers the engine keeps, a computed payload field is the one the
 * engine stores in its audit entry, and the final context is the same. The service runs on a
 * real SQLite file with a ManualClock; its timers fire through the timer runner.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/cli-io';
import { ManualClock } from '../../src/common/clock';
import type { Actor } from '../../src/compiler/process-machine.contract';
import type { Engine } from '../../src/engine/engine';
import { openProcessEngine } from '../../src/processes';
import { freshDatabase, REPO_ROOT, type TestDatabase } from '../support/databases';

const SYSTEM: Actor = { id: 'system', roles: ['system'] };
const AUDITOR: Actor = { id: 'au', roles: ['auditor'] };

interface Step {
  readonly event: string;
  readonly actor: Actor;
  readonly at: string;
  readonly payload?: Record<string, unknown>;
}

interface Run {
  readonly definition: string;
  readonly businessKey: string;
  readonly actor: Actor;
  readonly at: string;
  readonly context: Record<string, unknown>;
  readonly steps: readonly Step[];
}

/** Plays the run with `wf simulate` in the repository (scenario as JSON, which is YAML too). */
async function simulate(run: Run, file: string, extra: string[] = []): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wf-parity-'));
  try {
    const scenario = join(dir, 'scenario.yaml');
    writeFileSync(
      scenario,
      JSON.stringify({
        businessKey: run.businessKey,
        context: run.context,
        actor: run.actor,
        at: run.at,
        steps: run.steps.map((s) => ({ event: s.event, actor: s.actor, at: s.at, ...(s.payload ? { payload: s.payload } : {}) })),
      }),
    );
    const out: string[] = [];
    const io: CliIo = { out: (l) => out.push(l), err: (l) => out.push(`stderr: ${l}`), cwd: REPO_ROOT, exitCode: 0 };
    const code = await runCli(['node', 'wf', 'simulate', ...extra, file, scenario], io);
    expect({ code, out }).toMatchObject({ code: 0 });
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The timers a printout describes, as `event dueAt status`, sorted. */
function printedTimers(out: readonly string[]): string[] {
  const timers: { event: string; dueAt: string; status: string }[] = [];
  const pending = (event: string, dueAt?: string) => {
    const found = timers.find((t) => t.status === 'pending' && t.event === event && (dueAt === undefined || t.dueAt === dueAt));
    if (!found) throw new Error(`no pending timer ${event} ${dueAt ?? ''} for: ${out.join('\n')}`);
    return found;
  };
  for (const line of out) {
    let m: RegExpExecArray | null;
    if ((m = /^ {2}deadline armed: (\S+) at (\S+)$/.exec(line))) timers.push({ event: m[1], dueAt: m[2], status: 'pending' });
    else if ((m = /^ {2}deadline fired: (\S+) \(due at (\S+)\)$/.exec(line))) pending(m[1], m[2]).status = 'fired';
    else if ((m = /^ {2}deadline cancelled: (\S+) /.exec(line))) pending(m[1]).status = 'cancelled';
  }
  return timers.map((t) => `${t.event} ${t.dueAt} ${t.status}`).sort();
}

function printedContext(out: readonly string[]): unknown {
  return JSON.parse(out[out.length - 1].replace(/^context: /, ''));
}

/** `computed FIELD: {...}` lines, in order. */
function printedComputed(out: readonly string[], field: string): unknown[] {
  const prefix = `  computed ${field}: `;
  return out.filter((l) => l.startsWith(prefix)).map((l) => JSON.parse(l.slice(prefix.length)));
}

describe('wf simulate agrees with the service (sqlite)', () => {
  let database: TestDatabase | undefined;
  let engine: Engine | undefined;
  const clock = new ManualClock();

  afterEach(async () => {
    await engine?.close();
    await database?.dispose();
    engine = undefined;
    database = undefined;
  });

  /** Plays the run on the service; a step sent by system is its due timer firing. Returns the instance id. */
  async function serve(run: Run, overrides: Record<string, string> = {}): Promise<{ engine: Engine; id: string }> {
    database = await freshDatabase('sqlite', overrides);
    clock.set(run.at);
    engine = await openProcessEngine(database.config, { clock });
    await engine.definitions.registerDirectory(database.config.definitionsDir, 'system');
    const { id } = (await engine.transitions.create({ definition: run.definition, businessKey: run.businessKey, context: run.context }, run.actor)).instance;
    for (const s of run.steps) {
      clock.set(s.at);
      if (s.actor.id === SYSTEM.id) await expect(engine.worker.timers.tick()).resolves.toBe(1);
      else await engine.transitions.send(id, { type: s.event, payload: s.payload ?? {} }, s.actor);
    }
    return { engine, id };
  }

  it('the deadlines printed for a complaint are the timers the engine arms, fires and cancels', async () => {
    const assistant: Actor = { id: 'zhang', roles: ['cs_assistant'] };
    const head: Actor = { id: 'chen', roles: ['dept_head'], attributes: { department: '财务部' } };
    // Friday 13 February 2026, before the Spring Festival; reopened in March.
    const run: Run = {
      definition: 'complaint',
      businessKey: 'C-parity',
      actor: assistant,
      at: '2026-02-13T10:00:00+08:00',
      context: {
        receivedAt: '2026-02-13T09:30:00+08:00',
        complainant: '李先生',
        unit: '3栋1201',
        contact: '13800000000',
        channel: '来访',
        content: '物业费账单有误',
      },
      steps: [
        { event: 'classify', actor: assistant, at: '2026-02-13T10:00:00+08:00', payload: { valid: true, category: '收费', severity: '一般' } },
        { event: 'dispatch', actor: assistant, at: '2026-02-13T10:05:00+08:00', payload: { department: '财务部' } },
        { event: 'contactOverdue', actor: SYSTEM, at: '2026-02-13T18:00:00+08:00' },
        { event: 'markLongTerm', actor: head, at: '2026-02-24T10:00:00+08:00', payload: { reason: '需核对全年账目' } },
        { event: 'explainToCustomer', actor: assistant, at: '2026-02-24T11:00:00+08:00', payload: { explanation: '已向业主解释', expectedBy: '2026-03-10' } },
        { event: 'replyOverdue', actor: SYSTEM, at: '2026-02-25T18:00:00+08:00' },
        { event: 'reply', actor: head, at: '2026-03-02T10:00:00+08:00', payload: { method: '重新核算', result: '已退还多收费用' } },
        { event: 'recordReturnVisit', actor: assistant, at: '2026-03-03T10:00:00+08:00', payload: { satisfied: false, comment: '仍有疑问' } },
      ],
    };
    const out = await simulate(run, 'definitions/complaint.yaml');
    const service = await serve(run);
    const timers = await service.engine.records.timers(service.id);
    expect(timers.length).toBe(5);
    expect(printedTimers(out)).toEqual(timers.map((t) => `${t.eventType} ${t.dueAt} ${t.status}`).sort());
    expect(printedTimers(out)).toEqual(
      expect.arrayContaining([
        'replyOverdue 2026-02-25T10:00:00.000Z fired',
        'longTermDue 2026-03-10T10:00:00.000Z cancelled',
        'replyOverdue 2026-03-06T10:00:00.000Z pending',
      ]),
    );
    // The stored context (an auditor reads the complainant's name and contact masked).
    const instance = await service.engine.instances.byId(service.id);
    expect(printedContext(out)).toEqual(instance.context);
  });

  it("a compute: field is the one the engine stores: the figures of a collection, from the instance's own trail", async () => {
    const clerk: Actor = { id: 'zhao', roles: ['clerk'] };
    const run: Run = {
      definition: 'collection-drill',
      businessKey: 'drill-2026-03',
      actor: clerk,
      at: '2026-03-06T09:00:00+08:00',
      context: {},
      steps: [
        { event: 'importRoster', actor: clerk, at: '2026-03-06T09:00:00+08:00', payload: { households: 40, excluded: 2 } },
        { event: 'issueTokens', actor: clerk, at: '2026-03-06T09:10:00+08:00', payload: { issued: 38 } },
        ...Array.from({ length: 5 }, (_, i): Step => ({
          event: 'recordResponse',
          actor: clerk,
          at: `2026-03-09T1${i}:00:00+08:00`,
          payload: { householdId: `H${i}`, channel: i % 3 === 0 ? 'paper' : 'online' },
        })),
        { event: 'close', actor: SYSTEM, at: '2026-03-10T18:00:00+08:00' },
      ],
    };
    const fixtures = 'test/fixtures/simulate/definitions';
    const out = await simulate(run, `${fixtures}/collection-drill.yaml`, ['--definitions', fixtures]);
    const service = await serve(run, { WF_DEFINITIONS_DIR: join(REPO_ROOT, fixtures) });
    const trail = await service.engine.instances.audit(service.id, AUDITOR);
    const closed = trail.at(-1)!;
    expect(closed).toMatchObject({ eventType: 'close', actor: 'system', toState: 'closed' });
    expect(printedComputed(out, 'figures')).toEqual([(closed.payload as Record<string, unknown>).figures]);
    expect(printedComputed(out, 'figures')[0]).toMatchObject({ households: 38, issued: 38, returned: 5, online: 3, paper: 2 });
    expect(printedContext(out)).toEqual((await service.engine.instances.get(service.id, AUDITOR)).context);
  });

  it('the monthly complaint report computes the same figures in both (complaint.monthlyReport)', async () => {
    const supervisor: Actor = { id: 'sun', roles: ['cs_supervisor'] };
    const run: Run = {
      definition: 'complaint-monthly-report',
      businessKey: 'complaint-report-2026-01',
      actor: supervisor,
      at: '2026-02-01T09:00:00+08:00',
      context: { month: '2026-01', dueAt: '2026-02-05T18:00:00+08:00' },
      steps: [{ event: 'compile', actor: SYSTEM, at: '2026-02-01T09:01:00+08:00' }],
    };
    const out = await simulate(run, 'definitions/complaint-monthly-report.yaml');
    const service = await serve(run);
    const compiled = (await service.engine.instances.audit(service.id, AUDITOR)).at(-1)!;
    expect(compiled.eventType).toBe('compile');
    const figures = printedComputed(out, 'figures');
    expect(figures).toEqual([(compiled.payload as Record<string, unknown>).figures]);
    expect(figures[0]).toMatchObject({ month: '2026-01', monthTitle: '2026年1月', asOf: '2026-02-01T01:01:00.000Z', received: 0 });
    const timers = await service.engine.records.timers(service.id);
    expect(printedTimers(out)).toEqual(timers.map((t) => `${t.eventType} ${t.dueAt} ${t.status}`).sort());
  });
});
