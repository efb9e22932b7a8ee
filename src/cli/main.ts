#!/usr/bin/env node
/**
 * `wf`: the command line for process owners and operators (`npm run wf -- <command>`).
 * `buildProgram()` is exported so tests (and other entry points) get the same commands.
 */
import { Command, CommanderError } from 'commander';
import { processIo, type CliIo } from './cli-io';
import { commandRegistrars } from './commands';

export function buildProgram(io: CliIo = processIo()): Command {
  const program = new Command('wf')
    .description('workflow engine: check, draw and simulate YAML process definitions')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
    });
  for (const register of commandRegistrars) register(program, io);
  return program;
}

/** Runs the CLI with `argv` (as in `process.argv`) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    io.err(`error: ${(error as Error).message}`);
    return 1;
  }
  return io.exitCode;
}

if (require.main === module) {
  runCli(process.argv).then((code) => {
    process.exitCode = code;
  });
}
