/**
 * Load: YAML text → a checked, deep-frozen `ProcessDefinition`, or every problem at once.
 *
 * Three passes, all of which always run so the process owner sees everything in one go:
 * 1. YAML syntax (including duplicate keys), 2. the language's JSON Schema (unknown keys, wrong
 * types), 3. cross-references (targets, roles, rules, expressions, templates). Each problem
 * points at file, line and column. Nothing is loaded when there is any problem.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import { isAlias, isMap, isPair, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { DefinitionProblem, LintFinding, ProcessDefinition } from './definition.types';
import { definitionSchema, PATTERN_HINTS } from './definition.schema';
import { MAX_DEFINITION_BYTES } from './definition-limits';
import type { DomainFunctionLookup, TemplateLookup } from './definition-build-context';
import { acceptanceProblem, crossProcessActions } from './definition-acceptance';
import { buildDefinition } from './definition-builder';
import { lintDefinition } from './definition-lint';
import { didYouMean } from './did-you-mean.util';
import { dotted, YamlLocator, type YamlPath } from './yaml-locator';
import { deepFreeze, tooDeepAt } from '../common/objects.util';
import { CONTROL_CHARACTER, controlCharacterAt, controlCharacterIn } from '../common/storable-text.util';

export type { DomainFunctionLookup, TemplateLookup } from './definition-build-context';

export interface LoadOptions {
  /** File name shown in every problem. */
  readonly file: string;
  /** When given, every template named by a `render`, `post` or `email` action must exist (and read only known fields). */
  readonly templates?: TemplateLookup;
  /** Largest accepted text in bytes (default `MAX_DEFINITION_BYTES`). */
  readonly maxBytes?: number;
  /** When given, every `compute` must name one of these domain functions, every `apply` one of the writers. */
  readonly functions?: DomainFunctionLookup;
}

export type LoadResult =
  | { readonly ok: true; readonly definition: ProcessDefinition; readonly findings: LintFinding[] }
  | { readonly ok: false; readonly errors: DefinitionProblem[] };

export { MAX_DEFINITION_BYTES };

/**
 * Deepest nesting of maps and lists accepted in a definition (the file itself is level 1). The
 * bundled definitions need at most 13; the checks after parsing recurse, so a deeper file (or an
 * alias expanding into one) is refused before them.
 */
export const MAX_DEFINITION_DEPTH = 64;

/** Alias expansions accepted (`*name` copies of `&name` nodes): more is an alias bomb. */
export const MAX_ALIAS_COUNT = 50;

const TOO_DEEP = `the YAML is nested deeper than ${MAX_DEFINITION_DEPTH} levels of maps and lists here; a definition never needs that many: flatten it`;

const schemaAjv = new Ajv2020({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true });
const validateDefinitionShape = schemaAjv.compile(definitionSchema);

/** Loads one definition from its YAML text. Never throws for a bad definition: returns the problems. */
export function loadDefinition(text: string, options: LoadOptions): LoadResult {
  const file = options.file;
  const maxBytes = options.maxBytes ?? MAX_DEFINITION_BYTES;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) {
    return {
      ok: false,
      errors: [
        {
          file,
          line: 1,
          column: 1,
          path: '',
          message: `the file is ${formatBytes(size)}, larger than the limit of ${formatBytes(maxBytes)}; split it or shorten it`,
        },
      ],
    };
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const locator = new YamlLocator(doc, lineCounter, file, text);
  const problems: DefinitionProblem[] = [];
  // One broken line makes the YAML parser stumble over everything after it: report the first
  // few syntax errors, then one line saying how many more followed.
  const MAX_SYNTAX_ERRORS = 3;
  let syntaxErrors = 0;
  for (const error of doc.errors) {
    const position = locator.atOffset(error.pos[0]);
    if (error.code !== 'DUPLICATE_KEY' && ++syntaxErrors > MAX_SYNTAX_ERRORS) continue;
    const hint = /flow-(seq|map)|comma/.test(error.message) ? ' (a value containing [ ] { } , must be put in quotes, e.g. batch: "=context.batches[0]")' : '';
    const message =
      error.code === 'DUPLICATE_KEY'
        ? `duplicate key '${/^["']?([^"':\n]*)/.exec(text.slice(error.pos[0]))?.[1].trim() || '?'}': each key may appear only once in the same map`
        : `YAML syntax error: ${error.message.split('\n')[0]}${hint}`;
    problems.push({ ...position, message });
  }
  if (syntaxErrors > MAX_SYNTAX_ERRORS) {
    const first = problems.find((p) => p.message.startsWith('YAML syntax error'));
    problems.push({
      ...locator.atOffset(doc.errors[doc.errors.length - 1].pos[0]),
      message: `${syntaxErrors - MAX_SYNTAX_ERRORS} more YAML syntax errors follow, most likely caused by the one at line ${first?.line}: fix it and check again`,
    });
  }

  // Too deep for the parser's own stack, or deeper than the limit: nothing after this point
  // (conversion, schema, cross-references) walks it.
  const overflow = doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  const deepOffset = overflow ? overflow.pos[0] : tooDeepNodeOffset(doc, MAX_DEFINITION_DEPTH);
  if (deepOffset !== undefined) {
    // Past a stack overflow the parser's other errors are its consequences: only this one counts.
    const others = overflow ? [] : problems;
    return { ok: false, errors: sortProblems([...others, { ...locator.atOffset(deepOffset), message: TOO_DEEP }]) };
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = (error as Error).message;
    problems.push({
      ...locator.atOffset(firstAliasOffset(doc) ?? 0),
      message: /alias/i.test(message)
        ? `the YAML cannot be read: its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies of anchored (&name) nodes, as an alias bomb does; write the values out instead`
        : `the YAML cannot be read: ${message}`,
    });
  }
  const deepAt = tooDeepAt(raw, MAX_DEFINITION_DEPTH);
  if (deepAt) return { ok: false, errors: sortProblems([...problems, { ...locator.at(deepAt), message: `${TOO_DEEP} (once its aliases are expanded)` }]) };
  if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw)) {
    if (problems.length === 0) {
      problems.push({ ...locator.atOffset(0), message: 'the file must be a map of keys (key, title, roles, start, initial, states, ...)' });
    }
    return { ok: false, errors: sortProblems(problems) };
  }

  problems.push(...controlCharacterProblems(text, raw, locator));
  if (!validateDefinitionShape(raw)) problems.push(...schemaProblems(validateDefinitionShape.errors ?? [], locator));

  const built = buildDefinition(raw as Record<string, unknown>, {
    locator,
    templates: options.templates,
    functions: options.functions,
    source: { file, text, hash: createHash('sha256').update(text, 'utf8').digest('hex') },
  });
  problems.push(...built.problems);
  if (problems.length > 0 || !built.definition) return { ok: false, errors: sortProblems(problems) };

  const findings = lintDefinition(built.definition);
  return { ok: true, definition: deepFreeze(built.definition), findings };
}

/** Reads and loads one file; the file name in problems is the path as given. */
export function loadDefinitionFile(path: string, options: Omit<LoadOptions, 'file'> & { file?: string } = {}): LoadResult {
  const file = options.file ?? path;
  let text: string;
  try {
    const size = statSync(path).size;
    const maxBytes = options.maxBytes ?? MAX_DEFINITION_BYTES;
    if (size > maxBytes) {
      return {
        ok: false,
        errors: [
          {
            file,
            line: 1,
            column: 1,
            path: '',
            message: `the file is ${formatBytes(size)}, larger than the limit of ${formatBytes(maxBytes)}; split it or shorten it`,
          },
        ],
      };
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, errors: [{ file, line: 1, column: 1, path: '', message: `cannot read the file: ${(error as Error).message}` }] };
  }
  return loadDefinition(text, { ...options, file });
}

export type LoadDirResult =
  | { readonly ok: true; readonly definitions: ProcessDefinition[]; readonly findings: LintFinding[] }
  | { readonly ok: false; readonly errors: DefinitionProblem[] };

/**
 * Loads every `*.yaml` / `*.yml` in `dir` (not recursive, sorted by name). Collects the problems
 * of all files; two files with the same `key`, `start`/`emit` actions naming a definition
 * that is not in the folder, and actions the named definition does not accept from this one
 * (`from:` on its event, `start.from`) are problems too.
 */
export function loadDefinitionsDir(dir: string, options: Omit<LoadOptions, 'file'> = {}): LoadDirResult {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort();
  const errors: DefinitionProblem[] = [];
  const findings: LintFinding[] = [];
  const definitions: ProcessDefinition[] = [];
  const byKey = new Map<string, ProcessDefinition>();
  for (const name of files) {
    const result = loadDefinitionFile(join(dir, name), { ...options, file: join(dir, name) });
    if (!result.ok) {
      errors.push(...result.errors);
      continue;
    }
    const def = result.definition;
    const first = byKey.get(def.key);
    if (first) {
      errors.push({
        file: def.source.file,
        line: 1,
        column: 1,
        path: 'key',
        message: `the key '${def.key}' is already used by ${basename(first.source.file)}; each definition needs its own key`,
      });
      continue;
    }
    byKey.set(def.key, def);
    definitions.push(def);
    findings.push(...result.findings);
  }
  for (const def of definitions) {
    for (const action of crossProcessActions(def)) {
      if (action.target === 'parent' || action.target === def.key) continue; // parent: checked at delivery; self: when the file loads
      const target = byKey.get(action.target);
      if (!target) {
        errors.push({
          ...action.position,
          message: `the ${action.kind} action names the definition '${action.target}', which is not in ${dir}.${didYouMean(action.target, byKey.keys())}`,
        });
        continue;
      }
      const problem = acceptanceProblem(action, target, def.key);
      if (problem) errors.push(problem);
    }
  }
  return errors.length > 0 ? { ok: false, errors: sortProblems(errors) } : { ok: true, definitions, findings };
}

/** Sorted by file, line and column; exact duplicates removed. */
export function sortProblems<T extends DefinitionProblem>(problems: readonly T[]): T[] {
  const seen = new Set<string>();
  return [...problems]
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column)
    .filter((p) => {
      const id = `${p.file}:${p.line}:${p.column}:${p.message}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

type YamlItem = { node: unknown; depth: number };

/** Children of a YAML node that are collections (map keys and values, list items). */
function collectionChildren(node: unknown): unknown[] {
  if (!isMap(node) && !isSeq(node)) return [];
  return (node.items as unknown[]).flatMap((item) => (isPair(item) ? [item.key, item.value] : [item]));
}

/** Offset of the first map or list nested deeper than `limit` in the document, if any (no recursion). */
function tooDeepNodeOffset(doc: Document, limit: number): number | undefined {
  const pending: YamlItem[] = [{ node: doc.contents, depth: 1 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop() as YamlItem;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > limit) return node.range?.[0] ?? 0;
    for (const child of collectionChildren(node)) pending.push({ node: child, depth: depth + 1 });
  }
  return undefined;
}

/** Offset of the first alias (`*name`) in the document, if any. */
function firstAliasOffset(doc: Document): number | undefined {
  const pending: unknown[] = [doc.contents];
  let first: number | undefined;
  while (pending.length > 0) {
    const node = pending.pop();
    if (isAlias(node)) first = Math.min(first ?? Infinity, node.range?.[0] ?? 0);
    else if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) pending.push(...(isPair(item) ? [item.key, item.value] : [item]));
    }
  }
  return first;
}

function formatBytes(n: number): string {
  return n >= 1024 ? `${Math.round((n / 1024) * 10) / 10} KiB` : `${n} bytes`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a map (key: value lines)',
  array: 'a list',
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'empty',
};

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the text '${value}'`;
  return `${typeof value} ${String(value)}`;
}

function where(path: YamlPath): string {
  return path.length === 0 ? 'at the top level' : `in '${dotted(path)}'`;
}

/**
 * A control character (NUL, ...) in the file, or written as an escape (`"\\0"`) in a key or a
 * value: PostgreSQL cannot store it (SQLite would), and no definition needs one. The first one
 * in the text is reported where it stands; failing that, the first escaped one at its key.
 */
function controlCharacterProblems(text: string, raw: unknown, locator: YamlLocator): DefinitionProblem[] {
  const offset = text.search(CONTROL_CHARACTER);
  if (offset >= 0) {
    const character = controlCharacterIn(text.slice(offset, offset + 1));
    return [{ ...locator.atOffset(offset), message: `the file holds the control character ${character} here; remove it (the database cannot store it)` }];
  }
  const found = controlCharacterAt(raw);
  if (!found) return [];
  const what = found.inKey ? `the key '${String(found.path[found.path.length - 1])}'` : `'${dotted(found.path)}'`;
  return [
    {
      ...locator.at(found.path, found.inKey ? 'key' : 'value'),
      message: `${what} holds the control character ${found.character} (written as an escape); remove it (the database cannot store it)`,
    },
  ];
}

/** ajv's errors on the definition → problems at the offending YAML node, in plain words. */
function schemaProblems(errors: readonly ErrorObject[], locator: YamlLocator): DefinitionProblem[] {
  const out: DefinitionProblem[] = [];
  for (const e of errors) {
    const path: (string | number)[] = e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map(unescapePointer);
    const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
    switch (e.keyword) {
      case 'propertyNames':
      case 'if':
      case 'anyOf':
      case 'oneOf':
        break; // the nested errors say what is wrong
      case 'additionalProperties': {
        const key = String(e.params.additionalProperty);
        const allowed = Object.keys((e.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
        const hint = allowed.length ? ` Allowed keys here: ${allowed.join(', ')}.` : '';
        out.push({
          ...locator.at([...path, key], 'key'),
          message: `unknown key '${key}' ${where(path)}.${didYouMean(key, allowed)}${hint}`,
        });
        break;
      }
      case 'required':
        out.push({
          ...locator.at(path, 'key'),
          message: `missing key '${String(e.params.missingProperty)}' ${where(path)}`,
        });
        break;
      case 'type': {
        const wanted = String(e.params.type)
          .split(',')
          .map((t) => TYPE_WORDS[t] ?? t)
          .join(' or ');
        out.push({ ...locator.at(path), message: `'${dotted(path)}' must be ${wanted}, but it is ${describeValue(e.data)}` });
        break;
      }
      case 'pattern': {
        const hint = PATTERN_HINTS[String(e.params.pattern)] ?? `text matching ${String(e.params.pattern)}`;
        if (propertyName !== undefined) {
          out.push({
            ...locator.at([...path, propertyName], 'key'),
            message: `'${propertyName}' is not a valid name ${where(path)}: use ${hint}`,
          });
        } else {
          out.push({ ...locator.at(path), message: `'${String(e.data)}' is not valid for '${dotted(path)}': use ${hint}` });
        }
        break;
      }
      case 'enum':
        out.push({
          ...locator.at(path),
          message: `'${dotted(path)}' must be one of: ${(e.params.allowedValues as unknown[]).join(', ')} (it is ${describeValue(e.data)})`,
        });
        break;
      case 'minProperties':
      case 'maxProperties':
        if (path.includes('entry') || path.includes('exit') || path.includes('actions')) {
          out.push({
            ...locator.at(path),
            message: `each action is a map with exactly one key, its kind (render, post, notify, email, emit or start), ${where(path)}`,
          });
        } else {
          out.push({ ...locator.at(path), message: `'${dotted(path)}' ${e.message}` });
        }
        break;
      case 'minItems':
        out.push({ ...locator.at(path), message: `'${dotted(path)}' must not be an empty list` });
        break;
      case 'maxLength': {
        const limit = Number(e.params.limit);
        if (propertyName !== undefined) {
          out.push({
            ...locator.at([...path, propertyName], 'key'),
            message: `the name '${propertyName.slice(0, 40)}…' ${where(path)} is longer than ${limit} characters (it has ${[...propertyName].length}); shorten it`,
          });
        } else {
          out.push({ ...locator.at(path), message: `'${dotted(path)}' is longer than ${limit} characters (it has ${[...String(e.data)].length}); shorten it` });
        }
        break;
      }
      case 'minLength':
        out.push({ ...locator.at(path), message: `'${dotted(path)}' must not be empty` });
        break;
      case 'uniqueItems':
        out.push({ ...locator.at(path), message: `'${dotted(path)}' lists the same item twice` });
        break;
      default:
        out.push({ ...locator.at(path), message: `'${dotted(path)}' ${e.message ?? 'is not valid'}` });
    }
  }
  return out;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
