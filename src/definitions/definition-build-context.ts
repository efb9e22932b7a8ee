/**
 * What every part of building a `ProcessDefinition` shares: the caller's lookups (templates,
 * domain functions), the list problems are reported to with their file:line:column, and the
 * small guards that let the builder read a document the JSON Schema may already have refused
 * (wrong shapes are skipped, never crashed on, so every problem of a file is reported at once).
 *
 * The parts (`definition-*.ts` next to this file) append to `problems` in the order they run;
 * `definition-builder.ts` runs them in a fixed order, so messages come out in a stable order.
 */
import type Ajv2020 from 'ajv/dist/2020';
import type { DefinitionProblem, EventDefinition, JsonSchema, ProcessDefinition, SourcePosition } from './definition.types';
import { createSchemaAjv } from './json-schema.util';
import type { YamlLocator, YamlPath } from './yaml-locator';

/** The engine's own actor (deadlines, schedules, calendar changes): usable without declaring it; never another process. */
export const SYSTEM_ROLE = 'system';

/**
 * The role of the actor `process:<key>` the engine delivers another process's `emit`/`start`
 * as. Reserved: a definition cannot declare it; what a process may do is said by `from:`.
 */
export const PROCESS_ROLE = 'process';

/** True when `system` may not send the event (so no deadline, schedule or other instance can). */
export const lacksSystem = (event: EventDefinition): boolean => !event.roles.includes(SYSTEM_ROLE);

/** Answers whether a Handlebars template exists (e.g. `templates/<name>.hbs`) and what it reads. */
export interface TemplateLookup {
  has(name: string): boolean;
  /**
   * The top-level data fields the template reads (`complainant`, `returnVisit`, ...). When
   * given, each must be a property of the context schema (if it lists `properties`) or one of
   * the meta fields the engine adds (`TEMPLATE_META_FIELDS`).
   */
  fields?(name: string): readonly string[];
  /** Folder shown in messages, e.g. `templates/`. */
  readonly dir?: string;
}

/** The names of the domain functions (`compute:`) and writers (`apply:`) an engine has. */
export interface DomainFunctionLookup {
  has(name: string): boolean;
  names(): readonly string[];
  hasWriter(name: string): boolean;
  writerNames(): readonly string[];
}

export interface BuildInput {
  readonly locator: YamlLocator;
  readonly templates?: TemplateLookup;
  /** When given, every `compute` must name one of these domain functions, every `apply` one of the writers. */
  readonly functions?: DomainFunctionLookup;
  readonly source: ProcessDefinition['source'];
  /** The definition's own `key`, when it is text (an emit to this same process is accepted from it). */
  readonly key?: string;
}

/** One build in progress: where its problems go and how a YAML path becomes a position. */
export interface BuildContext {
  readonly input: BuildInput;
  readonly locator: YamlLocator;
  /** One ajv for the whole definition (context and payload schemas). */
  readonly ajv: Ajv2020;
  readonly problems: DefinitionProblem[];
  /** Records a problem at the value (default) or the key of the node at `path`. */
  report(path: YamlPath, message: string, which?: 'key' | 'value'): void;
  pos(path: YamlPath, which?: 'key' | 'value'): SourcePosition;
}

export function createBuildContext(input: BuildInput): BuildContext {
  const { locator } = input;
  const problems: DefinitionProblem[] = [];
  return {
    input,
    locator,
    ajv: createSchemaAjv(),
    problems,
    report: (path, message, which = 'value') => {
      problems.push({ ...locator.at(path, which), message });
    },
    pos: (path, which = 'value') => locator.at(path, which),
  };
}

/** A map as the YAML parser returns it, not yet known to have the right shape. */
export type Raw = Record<string, unknown>;
export const isMap = (x: unknown): x is Raw => typeof x === 'object' && x !== null && !Array.isArray(x);
export const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

/** The first segment of a dotted path a schema level with `properties` does not declare. */
export function undeclaredPath(schema: JsonSchema, segments: string[]): { field: string; known: string[]; at: string } | undefined {
  let level: unknown = schema;
  for (let i = 0; i < segments.length; i++) {
    if (!isMap(level) || !isMap(level.properties)) return undefined;
    const next = Object.hasOwn(level.properties, segments[i]) ? level.properties[segments[i]] : undefined;
    if (next === undefined) return { field: segments[i], known: Object.keys(level.properties), at: segments.slice(0, i).join('.') };
    level = next;
  }
  return undefined;
}
