/**
 * `wf simulate FILE SCENARIO`: runs a scenario against a definition with the service's own
 * code and no database, printing each step (event, actor, from → to, computed payload fields,
 * effects, deadlines armed, fired and cancelled), then the final state and context. Exit 1
 * when a step fails unexpectedly or an expectation is not met.
 *
 * Each step goes through what `InstanceService` runs: the `compute:` domain functions
 * (`engine/compute-payload.ts`, reading the scenario's own instance from a `ScenarioStore` in
 * memory), the compiled machine, and `planTransition` (timers with due times on the business
 * calendar the service uses, documents rendered). So a due time or a computed figure printed
 * here is the one the service would store. Deadlines never fire by themselves: send the
 * deadline's event as a step (actor with role system) at its due time to play it.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError, ErrorCode } from '../common/app-error';
import { createProcessMachine } from '../compiler/process-machine';
import type { Actor, ProcessMachine, StepResult } from '../compiler/process-machine.contract';
import type { ProcessDefinition } from '../definitions/definition.types';
import { SYSTEM_ROLE } from '../definitions/definition-build-context';
import { loadDefinitionFile } from '../definitions/definition-loader';
import type { TemplateCatalog } from '../documents/template-catalog';
// The registry of domain functions the service runs (the one place to repoint if it moves).
import { createProcessFunctions } from '../processes';
import type { DomainFunctionRegistry } from '../engine/domain-functions';
import { computePayload } from '../engine/compute-payload';
import { START_EVENT } from '../engine/transition.service';
import { CryptoIdGenerator } from '../common/ids';
import { planTransition, type TransitionPlan } from '../engine/transition-plan';
import { BusinessCalendar } from '../calendar/business-calendar';
import { parseCalendarFile } from '../calendar/calendar-file';
import { templateCatalogIn, type CliIo } from './cli-io';
import { parseScenario, subsetDifferences, type Scenario, type ScenarioActor, type ScenarioExpect } from './scenario';
import { ScenarioStore, type ScenarioTimer } from './scenario-store';

const DEFAULT_START = '2026-01-01T00:00:00.000Z';
const DEFAULT_BUSINESS_KEY = 'scenario';
/** The id of the one instance a scenario plays (fixed, so what a function returns is repeatable). */
const SIMULATED_INSTANCE_ID = '00000000-0000-4000-8000-000000000001';

const who = (a: ScenarioActor) => `${a.id} (${a.roles.join(', ') || 'no role'})`;

interface SimulateOptions {
  readonly templates: string;
  readonly definitions: string;
  readonly calendar?: string;
}

export function registerSimulateCommand(program: Command, io: CliIo): void {
  program
    .command('simulate')
    .description('run a scenario file of events against a definition, without a database')
    .argument('<file>', 'YAML definition file')
    .argument('<scenario>', 'YAML scenario file')
    .option('--templates <dir>', 'folder of Handlebars templates (<name>.hbs)', 'templates')
    .option('--definitions <dir>', 'definitions folder of the service (rule tables under rules/, calendar/calendar.yaml)', 'definitions')
    .option('--calendar <file>', 'business calendar file (default: calendar/calendar.yaml in the definitions folder, if there is one)')
    .action((file: string, scenarioFile: string, opts: SimulateOptions) => simulate(io, file, scenarioFile, opts));
}

async function simulate(io: CliIo, file: string, scenarioFile: string, opts: SimulateOptions): Promise<void> {
  const fail = (line: string) => {
    io.out(line);
    io.exitCode = 1;
  };
  // The calendar as the service reads it (`WF_CALENDAR_FILE`, else the bundled one, else the default).
  const calendarFile = opts.calendar ?? join(opts.definitions, 'calendar', 'calendar.yaml');
  let calendar: BusinessCalendar;
  try {
    const path = resolve(io.cwd, calendarFile);
    calendar =
      opts.calendar !== undefined || existsSync(path)
        ? new BusinessCalendar(parseCalendarFile(readFileSync(path, 'utf8'), calendarFile))
        : new BusinessCalendar();
  } catch (error) {
    return fail(`${calendarFile}: ${(error as Error).message}`);
  }
  const templates = templateCatalogIn(opts.templates, io, { timeZone: calendar.timeZone });
  const functions = createProcessFunctions({ definitionsDir: resolve(io.cwd, opts.definitions) });
  const loaded = loadDefinitionFile(resolve(io.cwd, file), { file, templates: templates.lookup, functions });
  if (!loaded.ok) {
    for (const e of loaded.errors) fail(`${e.file}:${e.line}:${e.column} ${e.message}`);
    return;
  }
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, scenarioFile), 'utf8');
  } catch (error) {
    return fail(`cannot read ${scenarioFile}: ${(error as Error).message}`);
  }
  const parsed = parseScenario(text);
  if (!parsed.ok) {
    for (const e of parsed.errors) fail(`${scenarioFile}: ${e}`);
    return;
  }
  await play(io, fail, { def: loaded.definition, scenario: parsed.scenario, calendar, templates: templates.catalog, functions });
}

interface Play {
  readonly def: ProcessDefinition;
  readonly scenario: Scenario;
  readonly calendar: BusinessCalendar;
  readonly templates: TemplateCatalog;
  readonly functions: DomainFunctionRegistry;
}

/** Starts the instance and sends each step's event, as the service would; prints as it goes. */
async function play(io: CliIo, fail: (line: string) => void, { def, scenario, calendar, templates, functions }: Play): Promise<void> {
  const machine = createProcessMachine(def);
  const store = new ScenarioStore();
  const instance = { id: SIMULATED_INSTANCE_ID, definition: def.key, businessKey: scenario.businessKey ?? DEFAULT_BUSINESS_KEY };
  const ids = new CryptoIdGenerator();
  const plan = (fromState: string | null, step: StepResult, actor: Actor, now: string): TransitionPlan =>
    planTransition({
      machine,
      instanceId: instance.id,
      businessKey: instance.businessKey,
      fromState,
      step,
      actor,
      now: new Date(now),
      calendar,
      templates,
      ids,
      ...(fromState === null ? {} : { suspended: store.suspended(instance.id) }),
    });

  let now = scenario.at ? new Date(scenario.at).toISOString() : DEFAULT_START;
  if (!scenario.actor.roles.some((r) => def.startRoles.includes(r))) {
    return fail(`start: FORBIDDEN ${scenario.actor.id} may not start '${def.key}'; start roles: ${def.startRoles.join(', ')}`);
  }
  const initial = def.validateContext(scenario.context ?? {});
  if (initial.errors.length > 0) {
    return fail(`start: CONTEXT_INVALID ${initial.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  }
  let step: StepResult;
  let started: TransitionPlan;
  try {
    step = machine.start(initial.value, scenario.actor, now);
    started = plan(null, step, scenario.actor, now);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return fail(`start: ${error.code} ${error.message}`);
  }
  store.create(instance, { eventType: START_EVENT, payload: scenario.context ?? {}, actor: scenario.actor, at: now, step, plan: started });
  io.out(`start by ${who(scenario.actor)} at ${now} → ${step.statePath.join('.')}`);
  printEffects(io, step);
  printTimers(io, null, [], started, now);

  // Who sent each event last, as the engine reads it from the trail for `notBy` (the start counts as `$start`).
  const lastSenders: Record<string, string> = { [START_EVENT]: scenario.actor.id };
  for (const [i, s] of scenario.steps.entries()) {
    const actor = s.actor ?? scenario.actor;
    if (s.at) now = new Date(s.at).toISOString();
    const head = `step ${i + 1}: ${s.event} by ${who(actor)} at ${now}`;
    const stored = store.instance(instance.id);
    // A due timer of this event fires when system sends it: the engine's timer runner would.
    const timer = actor.roles.includes(SYSTEM_ROLE) ? store.dueTimer(instance.id, s.event, now) : undefined;
    let payload: Record<string, unknown>;
    let next: StepResult;
    let planned: TransitionPlan;
    try {
      if (stored.status === 'completed') {
        throw new AppError(ErrorCode.InstanceCompleted, `the instance is completed (state '${stored.state}') and accepts no more events`);
      }
      payload = await computePayload({
        machine,
        state: stored.state,
        instance: { ...instance, context: stored.context },
        type: s.event,
        payload: s.payload ?? timer?.payload ?? {},
        actor,
        now: new Date(now),
        functions,
        calendar,
        store,
      });
      // The simulator plays every part, the processes' application services included (`via: service`).
      next = machine.send(stored.state, stored.context, {
        type: s.event,
        payload,
        actor,
        now,
        viaService: true,
        startedBy: scenario.actor.id,
        lastSenders: { ...lastSenders },
      });
      planned = plan(stored.state, next, actor, now);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (s.expect?.error === error.code) {
        io.out(`${head}: refused as expected: ${error.code} ${error.message}`);
        continue;
      }
      return fail(`${head}: ${error.code} ${error.message}`);
    }
    io.out(`${head}: ${step.statePath.join('.')} → ${next.statePath.join('.')}`);
    printComputed(io, machine, stored.state, s.event, payload);
    printEffects(io, next);
    const cancelled = store.transition(instance.id, {
      eventType: s.event,
      payload,
      actor,
      at: now,
      step: next,
      plan: planned,
      ...(timer ? { timerId: timer.id } : {}),
    });
    lastSenders[s.event] = actor.id;
    if (timer) io.out(`  deadline fired: ${timer.eventType} (due at ${timer.dueAt})`);
    printTimers(io, step.statePath, cancelled, planned, now);
    step = next;
    const problems = checkExpect(s.expect, step);
    for (const p of problems) fail(`  expectation not met: ${p}`);
    if (problems.length > 0) break;
  }
  io.out(`final state: ${step.statePath.join('.')}${step.done ? ' (done)' : ''}`);
  io.out(`context: ${JSON.stringify(step.context, null, 2)}`);
}

function printEffects(io: CliIo, step: StepResult): void {
  for (const e of step.effects) io.out(`  effect ${e.kind} ${JSON.stringify(e.params)} (from ${e.state})`);
}

/** `computed figures: {...}` per `compute:` field of the event, as the audit entry records it. */
function printComputed(io: CliIo, machine: ProcessMachine, state: string, type: string, payload: Record<string, unknown>): void {
  const event = machine.acceptedEvents(state).find((a) => a.event.type === type)?.event;
  for (const c of event?.compute ?? []) io.out(`  computed ${c.field}: ${JSON.stringify(payload[c.field])}`);
}

/**
 * `deadline cancelled: ...` for the pending timers of the states left (innermost first; all
 * of them when the instance completed, outermost first), then `deadline armed: replyOverdue
 * at <time>` per timer the step armed.
 */
function printTimers(io: CliIo, fromPath: readonly string[] | null, cancelled: readonly ScenarioTimer[], plan: TransitionPlan, now: string): void {
  const order = plan.cancelAll ? [...(fromPath ?? [])] : [...plan.cancelStates];
  const rank = (state: string) => (order.includes(state) ? order.indexOf(state) : order.length);
  for (const t of [...cancelled].sort((a, b) => rank(a.state) - rank(b.state))) {
    const passed = Date.parse(t.dueAt) <= Date.parse(now);
    io.out(
      `  deadline cancelled: ${t.eventType} (${t.state} left)${passed ? `; it was due at ${t.dueAt}, so the engine would have sent it before this step` : ''}`,
    );
  }
  for (const t of plan.timers) {
    io.out(`  deadline armed: ${t.eventType} at ${t.dueAt}${t.provisional ? ' (provisional: that year has no official holiday data yet)' : ''}`);
  }
}

function checkExpect(expect: ScenarioExpect | undefined, step: StepResult): string[] {
  if (!expect) return [];
  const problems: string[] = [];
  if (expect.error !== undefined) problems.push(`expected the error ${expect.error}, but the step succeeded`);
  if (expect.state !== undefined && expect.state !== step.state && expect.state !== step.statePath.join('.')) {
    problems.push(`state: expected ${expect.state}, got ${step.statePath.join('.')}`);
  }
  if (expect.done !== undefined && expect.done !== step.done) problems.push(`done: expected ${expect.done}, got ${step.done}`);
  if (expect.effects !== undefined) {
    const kinds = step.effects.map((e) => e.kind);
    if (JSON.stringify(kinds) !== JSON.stringify(expect.effects)) {
      problems.push(`effects: expected [${expect.effects.join(', ')}], got [${kinds.join(', ')}]`);
    }
  }
  if (expect.context !== undefined) problems.push(...subsetDifferences(expect.context, step.context));
  return problems;
}
