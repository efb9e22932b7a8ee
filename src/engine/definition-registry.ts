/**
 * Definition versions: content-addressed, stored in the database, compiled once per process.
 *
 * Registering a text whose SHA-256 is already stored for that key returns the existing
 * version (uploading the same file twice is harmless); a new text gets the next version
 * number. A running instance keeps the version it started with; new instances take the
 * newest. Any engine process can compile any version from its stored source, so several
 * processes sharing one PostgreSQL database agree on what each version means.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AppError, ErrorCode } from '../common/app-error';
import type { Clock } from '../common/clock';
import type { IdGenerator } from '../common/ids';
import { createProcessMachine } from '../compiler/process-machine';
import type { ProcessMachine } from '../compiler/process-machine.contract';
import { loadDefinition, type DomainFunctionLookup } from '../definitions/definition-loader';
import type { DefinitionProblem, LintFinding } from '../definitions/definition.types';
import { Database } from '../persistence/database';

export interface TemplateLookup {
  has(name: string): boolean;
}

export interface DefinitionVersionRow {
  readonly id: string;
  readonly key: string;
  readonly version: number;
  readonly hash: string;
  readonly title: string;
  readonly file: string;
  readonly createdBy: string;
  readonly createdAt: string;
}

export interface RegisteredVersion extends DefinitionVersionRow {
  /** False when this exact text was already registered. */
  readonly created: boolean;
  readonly findings: readonly LintFinding[];
}

export class DefinitionLoadError extends AppError {
  constructor(readonly errors: readonly DefinitionProblem[]) {
    super(ErrorCode.DefinitionInvalid, `the definition has ${errors.length} problem${errors.length === 1 ? '' : 's'}; nothing was stored`, { errors });
  }
}

const COLUMNS = 'id, key, version, hash, title, file, created_by AS "createdBy", created_at AS "createdAt"';

export class DefinitionRegistry {
  private readonly machines = new Map<string, Promise<ProcessMachine>>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly templates: TemplateLookup,
    private readonly maxBytes: number,
    private readonly functions?: DomainFunctionLookup,
  ) {}

  /** Loads and checks a YAML text without storing anything. */
  validate(text: string, file: string) {
    return loadDefinition(text, { file, templates: this.templates, functions: this.functions, maxBytes: this.maxBytes });
  }

  /** Loads every *.yaml/*.yml in dir and registers each; refuses (storing nothing) if any file has errors. */
  async registerDirectory(dir: string, actorId: string): Promise<RegisteredVersion[]> {
    const files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
    const loaded = files.map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') }));
    const problems = loaded.flatMap(({ file, text }) => {
      const result = this.validate(text, file);
      return result.ok ? [] : result.errors;
    });
    if (problems.length > 0) throw new DefinitionLoadError(problems);
    const out: RegisteredVersion[] = [];
    for (const { file, text } of loaded) out.push(await this.register(text, file, actorId));
    return out;
  }

  /** Validates and stores a definition text; returns the (possibly pre-existing) version. */
  async register(text: string, file: string, actorId: string): Promise<RegisteredVersion> {
    const result = this.validate(text, basename(file));
    if (!result.ok) throw new DefinitionLoadError(result.errors);
    const { definition, findings } = result;
    const { key, title } = definition;
    const hash = definition.source.hash;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const [existing] = await tx.rows<DefinitionVersionRow>(`SELECT ${COLUMNS} FROM definition_versions WHERE key = $1 AND hash = $2`, [key, hash]);
          if (existing) return { ...existing, created: false, findings };
          const [{ max }] = await tx.rows<{ max: number | string | null }>('SELECT MAX(version) AS max FROM definition_versions WHERE key = $1', [key]);
          const row: DefinitionVersionRow = {
            id: this.ids.uuid(),
            key,
            version: Number(max ?? 0) + 1,
            hash,
            title,
            file: basename(file),
            createdBy: actorId,
            createdAt: this.clock.now().toISOString(),
          };
          await tx.run(
            'INSERT INTO definition_versions (id, key, version, hash, title, file, source, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
            [row.id, key, row.version, hash, title, row.file, text, actorId, row.createdAt],
          );
          return { ...row, created: true, findings };
        });
      } catch (err) {
        // Two processes registering new versions of one key at once: the loser retries with the next number.
        if (this.db.isUniqueViolation(err) && attempt < 3) continue;
        throw err;
      }
    }
  }

  /** The newest version of a key. */
  async latest(key: string): Promise<DefinitionVersionRow> {
    const [row] = await this.db.read((q) =>
      q.rows<DefinitionVersionRow>(`SELECT ${COLUMNS} FROM definition_versions WHERE key = $1 ORDER BY version DESC LIMIT 1`, [key]),
    );
    if (!row) {
      const keys = (await this.list()).map((d) => d.key);
      throw new AppError(ErrorCode.NotFound, `no definition '${key}'; known definitions: ${keys.join(', ') || '(none)'}`);
    }
    return row;
  }

  async versions(key: string): Promise<DefinitionVersionRow[]> {
    return this.db.read((q) => q.rows<DefinitionVersionRow>(`SELECT ${COLUMNS} FROM definition_versions WHERE key = $1 ORDER BY version`, [key]));
  }

  async source(versionId: string): Promise<string> {
    const [row] = await this.db.read((q) => q.rows<{ source: string }>('SELECT source FROM definition_versions WHERE id = $1', [versionId]));
    if (!row) throw new AppError(ErrorCode.NotFound, `no definition version '${versionId}'`);
    return row.source;
  }

  /** One line per key: its newest version. */
  async list(): Promise<DefinitionVersionRow[]> {
    return this.db.read((q) =>
      q.rows<DefinitionVersionRow>(
        `SELECT ${COLUMNS} FROM definition_versions d WHERE version = (SELECT MAX(version) FROM definition_versions e WHERE e.key = d.key) ORDER BY key`,
      ),
    );
  }

  /** The compiled machine of a stored version (compiled once per process, then cached). */
  machine(versionId: string): Promise<ProcessMachine> {
    let machine = this.machines.get(versionId);
    if (!machine) {
      machine = this.compile(versionId);
      this.machines.set(versionId, machine);
      machine.catch(() => this.machines.delete(versionId));
    }
    return machine;
  }

  private async compile(versionId: string): Promise<ProcessMachine> {
    const [row] = await this.db.read((q) =>
      q.rows<{ source: string; file: string }>('SELECT source, file FROM definition_versions WHERE id = $1', [versionId]),
    );
    if (!row) throw new AppError(ErrorCode.NotFound, `no definition version '${versionId}'`);
    // Stored versions were valid when stored; templates may have changed since, so they are not re-checked here.
    const result = loadDefinition(row.source, { file: row.file, maxBytes: Number.MAX_SAFE_INTEGER });
    if (!result.ok) throw new DefinitionLoadError(result.errors);
    return createProcessMachine(result.definition);
  }
}
