/**
 * `wf user add LOGIN --roles r1,r2 [--name 张三] [--password P | --password-stdin]`: creates a user in the
 * configured database (same WF_* environment as the service). Without --password the
 * password is read from standard input (first line), so it stays out of shell history.
 * `--name` is the person's name printed on forms and time lines (统计人、申请人…) instead of the login id.
 */
import type { Command } from 'commander';
import type { CliIo } from './cli-io';
import { AppError } from '../common/app-error';
import { loadConfig } from '../config/app-config';
import { openProcessEngine } from '../processes';

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (input is shown; pipe it in to hide it): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}

export function registerUserCommands(program: Command, io: CliIo): void {
  const user = program.command('user').description('manage users of the service');
  user
    .command('add')
    .description('create a user with roles (the password is read from stdin unless --password is given)')
    .argument('<login>', 'login id (username)')
    .requiredOption('--roles <roles>', 'comma-separated roles, e.g. cs_assistant,dept_head (platform roles: admin, process_owner, auditor)')
    .option('--password <password>', 'the password (prefer stdin: it stays out of shell history)')
    .option('--name <name>', "the person's name printed on forms and time lines, e.g. --name 张三 (the login id is printed when none is given)")
    .option('--display-name <name>', 'the same as --name')
    .option(
      '--attr <name=value>',
      'an attribute processes can check as actor.<name>, e.g. --attr department=工程部 (repeatable)',
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .action(async (login: string, opts: { roles: string; password?: string; name?: string; displayName?: string; attr: string[] }) => {
      const attributes: Record<string, string> = {};
      for (const pair of opts.attr) {
        const at = pair.indexOf('=');
        if (at < 1) {
          io.err(`error: --attr must be written name=value, got '${pair}'`);
          io.exitCode = 1;
          return;
        }
        attributes[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
      }
      const password = opts.password ?? (await readPassword());
      const engine = await openProcessEngine(loadConfig(process.env, io.cwd));
      try {
        const created = await engine.auth.addUser({
          username: login,
          password,
          roles: opts.roles.split(','),
          displayName: opts.name ?? opts.displayName,
          attributes,
        });
        const attrs = Object.entries(created.attributes)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
        const named = created.displayName ? ` (${created.displayName})` : '';
        io.out(`created user ${created.username}${named} with roles ${created.roles.join(', ')}${attrs ? ` and attributes ${attrs}` : ''}`);
      } catch (err) {
        if (err instanceof AppError) {
          io.err(`error: ${err.message}`);
          io.exitCode = 1;
        } else throw err;
      } finally {
        await engine.close();
      }
    });
}
