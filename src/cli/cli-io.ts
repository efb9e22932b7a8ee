/**
 * Where CLI commands write and how they report failure: the real process in `main.ts`, a
 * capturing double in tests. Commands never call `process.exit`; they raise `exitCode`.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TemplateLookup } from '../definitions/definition-loader';
import { TemplateCatalog, type TemplateCatalogOptions } from '../documents/template-catalog';

export interface CliIo {
  /** Writes one line (a newline is added) to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /** Working directory against which relative paths (e.g. `definitions/`) are resolved. */
  readonly cwd: string;
  /** 0 unless a command failed; commands only ever raise it. */
  exitCode: number;
  /** The current time for commands that depend on it (tests pass a fixed one); default the wall clock. */
  now?(): Date;
  /** The environment commands read their WF_* configuration from; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    cwd: process.cwd(),
    exitCode: 0,
  };
}

/**
 * The templates of `dir` (relative to the working directory), read with the same catalog the
 * engine uses: a template `x` exists when `DIR/x.hbs` exists, and the loader checks the
 * fields it reads against the context schema. A folder that does not exist means every
 * template is missing; a template that cannot be parsed is reported on stderr (exit code 1),
 * and then only the existence of the files is checked.
 */
export function templatesIn(dir: string, io: Pick<CliIo, 'cwd' | 'err' | 'exitCode'>): TemplateLookup {
  return templateCatalogIn(dir, io).lookup;
}

/**
 * `templatesIn`, plus the catalog itself to render with (`wf simulate` renders documents as
 * the engine does, dates in `options.timeZone`); an empty catalog when there is none to read.
 */
export function templateCatalogIn(
  dir: string,
  io: Pick<CliIo, 'cwd' | 'err' | 'exitCode'>,
  options: TemplateCatalogOptions = {},
): { lookup: TemplateLookup; catalog: TemplateCatalog } {
  const abs = resolve(io.cwd, dir);
  const exists: TemplateLookup = { has: (name) => existsSync(join(abs, `${name}.hbs`)), dir };
  const none = () => ({ lookup: exists, catalog: new TemplateCatalog({ templates: {} }, options) });
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return none();
  let catalog: TemplateCatalog;
  try {
    catalog = TemplateCatalog.fromDirectory(abs, options);
  } catch (error) {
    io.err(`cannot read the templates in ${dir}: ${(error as Error).message}`);
    io.exitCode = 1;
    return none();
  }
  return { lookup: { has: (name) => catalog.has(name), fields: (name) => catalog.referencedRootFields(name), dir }, catalog };
}
