/** `wf validate FILE...`: every problem as `file:line:col message`; `ok <key>` per good file. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadDefinitionFile } from '../definitions/definition-loader';
import { createProcessFunctions } from '../processes';
import { templatesIn, type CliIo } from './cli-io';

export function registerValidateCommand(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check definition files; prints every problem with its line and column (exit 1 on any)')
    .argument('<files...>', 'YAML definition files')
    .option('--templates <dir>', 'folder of Handlebars templates (<name>.hbs)', 'templates')
    .action((files: string[], opts: { templates: string }) => {
      const templates = templatesIn(opts.templates, io);
      for (const file of files) {
        const result = loadDefinitionFile(resolve(io.cwd, file), { file, templates, functions: createProcessFunctions() });
        if (result.ok) {
          io.out(`ok ${result.definition.key} (${file})`);
        } else {
          for (const e of result.errors) io.out(`${e.file}:${e.line}:${e.column} ${e.message}`);
          io.exitCode = 1;
        }
      }
    });
}
