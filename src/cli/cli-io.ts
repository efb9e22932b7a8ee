/**
 * Where CLI commands write and how they report failure: the real process in `main.ts`, a
 * capturing double in tests. Commands never call `process.exit`; they raise `exitCode`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TemplateLookup } from '../definitions/definition-loader';

export interface CliIo {
  /** Writes one line (a newline is added) to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /** Working directory against which relative paths (e.g. `definitions/`) are resolved. */
  readonly cwd: string;
  /** 0 unless a command failed; commands only ever raise it. */
  exitCode: number;
}

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    cwd: process.cwd(),
    exitCode: 0,
  };
}

/** A template `x` exists when `DIR/x.hbs` exists. */
export function templatesIn(dir: string, cwd: string): TemplateLookup {
  const abs = resolve(cwd, dir);
  return { has: (name) => existsSync(join(abs, `${name}.hbs`)), dir };
}
