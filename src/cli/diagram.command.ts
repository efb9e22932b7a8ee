/** `wf diagram FILE`: the state chart as Mermaid text on standard output. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { toMermaid } from '../compiler/diagram';
import { loadDefinitionFile } from '../definitions/definition-loader';
import type { CliIo } from './cli-io';

export function registerDiagramCommand(program: Command, io: CliIo): void {
  program
    .command('diagram')
    .description('print the state chart as Mermaid (stateDiagram-v2)')
    .argument('<file>', 'YAML definition file')
    .action((file: string) => {
      const result = loadDefinitionFile(resolve(io.cwd, file), { file });
      if (!result.ok) {
        for (const e of result.errors) io.err(`${e.file}:${e.line}:${e.column} ${e.message}`);
        io.exitCode = 1;
        return;
      }
      io.out(toMermaid(result.definition).replace(/\n$/, ''));
    });
}
