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
import { accepts, acceptanceProblem, crossProcessActions, missingAcceptance } from '../definitions/definition-acceptance';
import { correlationHash, correlationValues } from '../definitions/definition-correlation';
import { loadDefinition, sortProblems, type DomainFunctionLookup } from '../definitions/definition-loader';
import type { DefinitionProblem, LintFinding, ProcessDefinition } from '../definitions/definition.types';
import { Database, type SqlExecutor } from '../persistence/database';

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

  /**
   * Loads every *.yaml/*.yml in dir and registers each; refuses (storing nothing) if any file
   * has errors. Cross-process actions are checked against the folder's other files first, then
   * against the stored definitions (see `register`).
   */
  async registerDirectory(dir: string, actorId: string): Promise<RegisteredVersion[]> {
    const files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
    const loaded = files.map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      return { file, text, result: this.validate(text, file) };
    });
    const problems = loaded.flatMap(({ result }) => (result.ok ? [] : result.errors));
    if (problems.length > 0) throw new DefinitionLoadError(problems);
    const folder = new Map<string, ProcessDefinition>();
    for (const { result } of loaded) if (result.ok) folder.set(result.definition.key, result.definition);
    const checks = [];
    for (const def of folder.values()) checks.push(await this.crossProcessCheck(def, folder));
    const crossProblems = checks.flatMap((c) => c.problems);
    if (crossProblems.length > 0) throw new DefinitionLoadError(sortProblems(crossProblems));
    const out: RegisteredVersion[] = [];
    for (const [i, { file, text }] of loaded.entries()) out.push(await this.store(text, file, actorId, checks[i].findings));
    return out;
  }

  /**
   * Validates and stores a definition text; returns the (possibly pre-existing) version.
   *
   * Refused as well when one of its `emit`/`start` actions names a stored definition that does
   * not accept it from this key (`from:` on the event, `start.from`): the problem is at the
   * action and says what the target would have to declare. A target not uploaded yet is
   * accepted with a `target-not-uploaded` finding: its own `from:` decides at delivery. A new
   * version that no longer accepts what a stored definition still sends is stored with an
   * `acceptance-removed` finding per such action (the owner may withdraw a permission; new
   * instances of this version then refuse those messages at delivery).
   */
  async register(text: string, file: string, actorId: string): Promise<RegisteredVersion> {
    const result = this.validate(text, basename(file));
    if (!result.ok) throw new DefinitionLoadError(result.errors);
    const check = await this.crossProcessCheck(result.definition, new Map());
    if (check.problems.length > 0) throw new DefinitionLoadError(sortProblems(check.problems));
    return this.store(text, file, actorId, check.findings);
  }

  /** The definitions a cross-process check reads: the folder being loaded first, then the newest stored versions. */
  private async peers(folder: ReadonlyMap<string, ProcessDefinition>): Promise<Map<string, ProcessDefinition>> {
    const peers = new Map<string, ProcessDefinition>();
    for (const row of await this.list()) peers.set(row.key, (await this.machine(row.id)).definition);
    for (const [key, def] of folder) peers.set(key, def);
    return peers;
  }

  /** Problems (refuse) and findings (store with a warning) of a definition's reach into other processes and theirs into it. */
  private async crossProcessCheck(
    def: ProcessDefinition,
    folder: ReadonlyMap<string, ProcessDefinition>,
  ): Promise<{ problems: DefinitionProblem[]; findings: LintFinding[] }> {
    const peers = await this.peers(folder);
    const problems: DefinitionProblem[] = [];
    const findings: LintFinding[] = [];
    for (const action of crossProcessActions(def)) {
      // `to: parent` is whichever process started this one: checked at delivery. Self: checked when the file loads.
      if (action.target === 'parent' || action.target === def.key) continue;
      const target = peers.get(action.target);
      if (!target) {
        findings.push({
          ...action.position,
          rule: 'target-not-uploaded',
          message: `the ${action.kind} action names '${action.target}', which is not uploaded yet: it will be delivered only if '${action.target}' accepts it from '${def.key}' (${action.kind === 'start' ? 'start.from' : `'from' of '${action.event}'`})`,
        });
        continue;
      }
      const problem = acceptanceProblem(action, target, def.key);
      if (problem) problems.push(problem);
    }
    for (const sender of peers.values()) {
      if (sender.key === def.key) continue;
      for (const action of crossProcessActions(sender)) {
        if (action.target !== def.key || accepts(def, action, sender.key)) continue;
        findings.push({
          ...action.position,
          rule: 'acceptance-removed',
          message: `'${sender.key}' still ${action.kind === 'start' ? `starts '${def.key}'` : `emits '${action.event}' to '${def.key}'`} here, but this version of '${def.key}' does not accept it: ${missingAcceptance(def, action, sender.key)}. Instances of this version will refuse it (the outbox marks it undeliverable); running instances keep their version`,
        });
      }
    }
    return { problems, findings };
  }

  private async store(text: string, file: string, actorId: string, extraFindings: readonly LintFinding[]): Promise<RegisteredVersion> {
    const result = this.validate(text, basename(file));
    if (!result.ok) throw new DefinitionLoadError(result.errors);
    const { definition } = result;
    const findings = [...result.findings, ...extraFindings];
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
          await indexRunningInstances(tx, definition);
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

/**
 * A new version that declares `correlation:` indexes the active instances of its key that
 * older versions started (they were stored without correlation values), in the version's own
 * transaction, so a related-cases `emit … where:` reaches the cases running since before the
 * upgrade too. Rows already there are kept.
 */
async function indexRunningInstances(tx: SqlExecutor, definition: ProcessDefinition): Promise<void> {
  if (definition.correlation.length === 0) return;
  const rows = await tx.rows<{ id: string; context: string }>(`SELECT id, context FROM instances WHERE definition_key = $1 AND status = 'active'`, [
    definition.key,
  ]);
  for (const row of rows) {
    for (const [name, value] of Object.entries(correlationValues(definition, JSON.parse(row.context) as Record<string, unknown>))) {
      await tx.run(
        `INSERT INTO instance_correlations (instance_id, name, definition_key, value, value_hash) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (instance_id, name) DO NOTHING`,
        [row.id, name, definition.key, value, correlationHash(value)],
      );
    }
  }
}
