/**
 * `wf simulate FILE SCENARIO`: runs a scenario against a definition with the real compiler and
 * no database, printing each step (event, actor, from → to, effects, deadlines armed and
 * cancelled), then the final state and context. Exit 1 when a step fails unexpectedly or an
 * expectation is not met. Deadlines are computed with the default business calendar
 * (Asia/Shanghai, official Chinese holidays, end of day 18:00) but never fire by themselves:
 * send the deadline's event as a step (actor with role system) to play it.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../common/app-error';
import { deadlinesToStart, statesLeft } from '../compiler/deadlines';
import { createProcessMachine } from '../compiler/process-machine';
import type { StepResult } from '../compiler/process-machine.contract';
import type { ProcessDefinition } from '../definitions/definition.types';
import { loadDefinitionFile } from '../definitions/definition-loader';
import { BusinessCalendar } from '../scheduler/business-calendar';
import { dueAt } from '../scheduler/deadline-spec';
import { templatesIn, type CliIo } from './cli-io';
import { parseScenario, subsetDifferences, type ScenarioActor, type ScenarioExpect } from './scenario';

const DEFAULT_START = '2026-01-01T00:00:00.000Z';

const who = (a: ScenarioActor) => `${a.id} (${a.roles.join(', ') || 'no role'})`;

export function registerSimulateCommand(program: Command, io: CliIo): void {
  program
    .command('simulate')
    .description('run a scenario file of events against a definition, without a database')
    .argument('<file>', 'YAML definition file')
    .argument('<scenario>', 'YAML scenario file')
    .option('--templates <dir>', 'folder of Handlebars templates (<name>.hbs)', 'templates')
    .action((file: string, scenarioFile: string, opts: { templates: string }) => {
      const fail = (line: string) => {
        io.out(line);
        io.exitCode = 1;
      };
      const loaded = loadDefinitionFile(resolve(io.cwd, file), { file, templates: templatesIn(opts.templates, io) });
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
      const { scenario } = parsed;
      const def = loaded.definition;
      const machine = createProcessMachine(def);

      let now = scenario.at ? new Date(scenario.at).toISOString() : DEFAULT_START;
      if (!scenario.actor.roles.some((r) => def.startRoles.includes(r))) {
        return fail(`start: FORBIDDEN ${scenario.actor.id} may not start '${def.key}'; start roles: ${def.startRoles.join(', ')}`);
      }
      const initial = def.validateContext(scenario.context ?? {});
      if (initial.errors.length > 0) {
        return fail(`start: CONTEXT_INVALID ${initial.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
      }
      let step: StepResult = machine.start(initial.value, scenario.actor, now);
      const calendar = new BusinessCalendar();
      io.out(`start by ${who(scenario.actor)} at ${now} → ${step.statePath.join('.')}`);
      printEffects(io, step);
      const armed = new Map<string, Date | undefined>();
      printDeadlines(io, def, calendar, armed, null, step, now);

      for (const [i, s] of scenario.steps.entries()) {
        const actor = s.actor ?? scenario.actor;
        if (s.at) now = new Date(s.at).toISOString();
        const head = `step ${i + 1}: ${s.event} by ${who(actor)} at ${now}`;
        let next: StepResult;
        try {
          next = machine.send(step.state, step.context, { type: s.event, payload: s.payload ?? {}, actor, now });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          if (s.expect?.error === error.code) {
            io.out(`${head}: refused as expected: ${error.code} ${error.message}`);
            continue;
          }
          return fail(`${head}: ${error.code} ${error.message}`);
        }
        io.out(`${head}: ${step.statePath.join('.')} → ${next.statePath.join('.')}`);
        printEffects(io, next);
        printDeadlines(io, def, calendar, armed, step.statePath, next, now);
        step = next;
        const problems = checkExpect(s.expect, step);
        for (const p of problems) fail(`  expectation not met: ${p}`);
        if (problems.length > 0) break;
      }
      io.out(`final state: ${step.statePath.join('.')}${step.done ? ' (done)' : ''}`);
      io.out(`context: ${JSON.stringify(step.context, null, 2)}`);
    });
}

function printEffects(io: CliIo, step: StepResult): void {
  for (const e of step.effects) io.out(`  effect ${e.kind} ${JSON.stringify(e.params)} (from ${e.state})`);
}

/**
 * `deadline armed: replyOverdue at <time>` per deadline of the states entered, and
 * `deadline cancelled: ...` for those of the states left (`armed`: deadline name → due time).
 */
function printDeadlines(
  io: CliIo,
  def: ProcessDefinition,
  calendar: BusinessCalendar,
  armed: Map<string, Date | undefined>,
  fromPath: readonly string[] | null,
  step: StepResult,
  now: string,
): void {
  const left = fromPath ? statesLeft(fromPath, step.statePath) : [];
  for (const name of step.done ? (fromPath ?? []) : left) {
    for (const d of def.states[name]?.deadlines ?? []) {
      const due = armed.get(d.name);
      armed.delete(d.name);
      const passed = due && due.getTime() <= new Date(now).getTime();
      io.out(
        `  deadline cancelled: ${d.event} (${name} left)${passed ? `; it was due at ${due.toISOString()}, so the engine would have sent it before this step` : ''}`,
      );
    }
  }
  if (step.done) return;
  for (const d of deadlinesToStart(def, fromPath, step.statePath)) {
    let due: Date | undefined;
    let when: string;
    try {
      due = dueAt(d.spec, new Date(now), calendar, (ref) =>
        ref.kind === 'rule' ? def.ruleValues[ref.name] : readPath(step.context, ref.path),
      );
      when = due.toISOString();
    } catch (error) {
      when = `an unknown time (${(error as Error).message})`;
    }
    armed.set(d.name, due);
    io.out(`  deadline armed: ${d.event} at ${when}`);
  }
}

function readPath(context: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), context);
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
