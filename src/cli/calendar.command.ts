/**
 * `wf calendar …`: the command group for the business calendar. Each subcommand lives in its
 * own file and hangs itself on the group, so they can be added independently:
 *
 *   export function registerCalendarReloadCommand(program: Command, io: CliIo): void {
 *     calendarCommand(program).command('reload').description('…').action(…);
 *   }
 *
 * and the registrar is appended to `commandRegistrars` in `commands.ts`.
 */
import type { Command } from 'commander';

/** The `calendar` group of `program`, created on first use. */
export function calendarCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'calendar') ??
    program.command('calendar').description('the business calendar: official holidays, adjusted working days, company days')
  );
}
