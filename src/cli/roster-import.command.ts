/**
 * `wf roster import ROUND_ID FILE --as USER`: imports a survey round's owner roster (CSV or
 * XLSX) from the command line, with a progress bar, through the same service as
 * `PUT /survey/rounds/:id/roster` — so the same role checks, the same per-row error report
 * (nothing stored when any row is bad) and the same audited `importRoster` event, recorded with
 * USER as the actor (a user of the service; their stored roles apply).
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import type { CliIo } from './cli-io';
import { AppError, ErrorCode } from '../common/app-error';
import { loadConfig } from '../config/app-config';
import { SurveyRoundService } from '../processes/survey-round/survey-round.service';
import { openEngine } from '../engine/engine';
import { createProcessFunctions } from '../processes';

export function registerRosterCommands(program: Command, io: CliIo): void {
  const roster = program.command('roster').description('survey round rosters');
  roster
    .command('import')
    .description('import the full owner roster (CSV or XLSX) of a survey round; every bad row is reported and nothing is stored')
    .argument('<roundId>', 'the id of the survey round (instance id)')
    .argument('<file>', 'roster file, .csv (UTF-8) or .xlsx (first sheet)')
    .requiredOption('--as <user>', 'the user the import is recorded for (needs a role of the event importRoster in survey-round.yaml)')
    .action(async (roundId: string, file: string, opts: { as: string }) => {
      const config = loadConfig(process.env, io.cwd);
      const engine = await openEngine(config, { functions: createProcessFunctions({ definitionsDir: config.definitionsDir }) });
      const bar = new SingleBar({ format: '检查名单 [{bar}] {value}/{total} 行', stream: process.stderr }, Presets.shades_classic);
      let started = false;
      try {
        const user = await engine.auth.actorFor(opts.as);
        if (!user) throw new AppError(ErrorCode.NotFound, `no user '${opts.as}'; create it with wf user add`);
        const actor = { id: user.id, roles: user.roles };
        const content = readFileSync(resolve(io.cwd, file));
        const round = await SurveyRoundService.forEngine(engine).importRoster(roundId, { fileName: basename(file), content }, actor, (done, total) => {
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        });
        if (started) bar.stop();
        const r = round.context.roster as { households: number; occupied: number; specialRemarks: number; sha256: string };
        io.out(
          `imported ${r.households} households (${r.occupied} occupied, ${r.specialRemarks} with a special remark) into ${round.businessKey}; sha256 ${r.sha256}`,
        );
      } catch (err) {
        if (started) bar.stop();
        if (err instanceof AppError) {
          io.err(`error ${err.code}: ${err.message}`);
          io.exitCode = 1;
        } else throw err;
      } finally {
        await engine.close();
      }
    });
}
