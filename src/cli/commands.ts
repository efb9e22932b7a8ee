/**
 * The list of CLI commands. To add a command, write `src/cli/<name>.command.ts` exporting a
 * `(program, io) => void` registrar and append it to `commandRegistrars` below. Commands that
 * need the database should import it inside their action, so `wf validate` stays light.
 */
import type { Command } from 'commander';
import { registerBackupCommands } from './backup.command';
import { registerCalendarImportCommand } from './calendar-import.command';
import type { CliIo } from './cli-io';
import { registerCalendarReloadCommand } from './calendar-reload.command';
import { registerDiagramCommand } from './diagram.command';
import { registerLintCommand } from './lint.command';
import { registerRosterCommands } from './roster-import.command';
import { registerSimulateCommand } from './simulate.command';
import { registerUserCommands } from './user-add.command';
import { registerValidateCommand } from './validate.command';

export type CommandRegistrar = (program: Command, io: CliIo) => void;

export const commandRegistrars: CommandRegistrar[] = [
  registerValidateCommand,
  registerLintCommand,
  registerDiagramCommand,
  registerSimulateCommand,
  registerUserCommands,
  registerRosterCommands,
  // `wf calendar …`: each subcommand hangs itself on the group from ./calendar.command.
  registerCalendarImportCommand,
  registerCalendarReloadCommand,
  registerBackupCommands,
  // ---- Register further commands here (e.g. `registerUserCommands` from ./user-add.command). ----
];
