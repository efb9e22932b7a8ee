/**
 * The catalog of Handlebars templates for forms and notices (`templates/`).
 *
 * - Every `*.hbs` file is a template named by its path without extension, relative to the
 *   directory (`complaint-record`, `notices/pause-approved`); files under `partials/` are
 *   partials named by their file name (`layout`), used as `{{#> layout title="…"}}…{{/layout}}`.
 * - One isolated `Handlebars.create()` instance per catalog: helpers and partials never leak
 *   into the global Handlebars. Output is HTML-escaped (never `noEscape`) and prototype access
 *   stays disabled (Handlebars' default).
 * - Every template and partial is parsed when the catalog loads, so a syntax error fails at
 *   start-up, not when a document is due.
 * - `templateHash` = SHA-256 over the template's source and the sources of every partial it
 *   uses (transitively, by name): a changed layout changes the hash of every document using it.
 *   The engine stores it with each rendered document so the audit shows which version was used.
 * - `referencedFields` lists the data paths a template reads, so the definition loader can
 *   refuse a template that needs a field the context schema lacks.
 * - Dates (`dateCn`, `dateTimeCn`) are read in the catalog's `timeZone`: the business
 *   calendar's, given by whoever opens the catalog (default Asia/Shanghai). It is a reading
 *   setting, not part of a template, so it does not enter `templateHash`.
 *
 * Rendering is pure: storing the rendered HTML is the caller's job (document storage).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Handlebars from 'handlebars';
import { AppError, ErrorCode } from '../common/app-error';
import { assertTimeZone } from '../calendar/zoned-time.util';
import { registerTemplateHelpers } from './template-helpers';

type AST = hbs.AST.Program;
type Node = hbs.AST.Node;

export interface TemplateSources {
  /** Template name → Handlebars source. */
  readonly templates: Readonly<Record<string, string>>;
  /** Partial name → Handlebars source. */
  readonly partials?: Readonly<Record<string, string>>;
}

export interface TemplateCatalogOptions {
  /** IANA zone dates are shown in: the business calendar's (`calendar.timeZone`); default Asia/Shanghai. */
  readonly timeZone?: string;
}

export interface RenderedDocument {
  readonly html: string;
  /** SHA-256 (hex) of the template source plus the sources of the partials it uses. */
  readonly templateHash: string;
}

interface Entry {
  readonly source: string;
  readonly ast: AST;
  compiled?: HandlebarsTemplateDelegate;
}

const BUILTIN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup', 'log', 'blockHelperMissing', 'helperMissing'];
/** Block helpers whose children read relative to their first argument. */
const SCOPING_HELPERS = new Set(['each', 'with']);

export class TemplateCatalog {
  private readonly hb = Handlebars.create();
  private readonly templates = new Map<string, Entry>();
  private readonly partials = new Map<string, Entry>();

  constructor(sources: TemplateSources, options: TemplateCatalogOptions = {}) {
    if (options.timeZone !== undefined) assertTimeZone(options.timeZone);
    registerTemplateHelpers(this.hb, { timeZone: options.timeZone });
    for (const [name, source] of Object.entries(sources.partials ?? {})) {
      this.partials.set(name, { source, ast: this.parse(source, `partials/${name}`) });
      this.hb.registerPartial(name, source);
    }
    for (const [name, source] of Object.entries(sources.templates)) {
      this.templates.set(name, { source, ast: this.parse(source, name) });
    }
    for (const name of this.templates.keys()) this.partialsUsedBy(name, { requireAll: true });
  }

  /** Loads every `*.hbs` under `dir`; `dir/partials/*.hbs` are partials. */
  static fromDirectory(dir: string, options: TemplateCatalogOptions = {}): TemplateCatalog {
    const templates: Record<string, string> = {};
    const partials: Record<string, string> = {};
    for (const file of listHbs(dir)) {
      const rel = relative(dir, file).split(sep).join('/');
      const name = rel.replace(/\.hbs$/, '');
      if (rel.startsWith('partials/')) partials[name.slice('partials/'.length)] = readFileSync(file, 'utf8');
      else templates[name] = readFileSync(file, 'utf8');
    }
    return new TemplateCatalog({ templates, partials }, options);
  }

  has(name: string): boolean {
    return this.templates.has(name);
  }

  /** Template names, sorted (partials are not templates). */
  names(): string[] {
    return [...this.templates.keys()].sort();
  }

  /** Renders a template; throws `NotFound` for an unknown name, `TemplateInvalid` on failure. */
  render(name: string, data: Record<string, unknown>): RenderedDocument {
    const entry = this.entry(name);
    // preventIndent: a partial's indentation must not be added to multi-line user text it shows.
    entry.compiled ??= this.hb.compile(entry.source, { preventIndent: true });
    let html: string;
    try {
      html = entry.compiled(data);
    } catch (err) {
      throw new AppError(ErrorCode.TemplateInvalid, `template '${name}' failed to render: ${(err as Error).message}`, { template: name });
    }
    return { html, templateHash: this.templateHash(name) };
  }

  /** Renders without side effects, for a preview in the UI (identical to `render`). */
  preview(name: string, data: Record<string, unknown>): RenderedDocument {
    return this.render(name, data);
  }

  /** SHA-256 of the template source and of every partial it uses (sorted by name). */
  templateHash(name: string): string {
    const entry = this.entry(name);
    const hash = createHash('sha256');
    hash.update(`template ${name}\n${entry.source}\n`);
    for (const partial of [...this.partialsUsedBy(name)].sort()) {
      hash.update(`partial ${partial}\n${this.partials.get(partial)!.source}\n`);
    }
    return hash.digest('hex');
  }

  /** Names of the partials a template uses, directly or through other partials. */
  partialsUsedBy(name: string, opts: { requireAll?: boolean } = {}): Set<string> {
    const used = new Set<string>();
    const visit = (ast: AST, owner: string): void => {
      const inline = inlinePartials(ast);
      walk(ast, (node) => {
        if (node.type !== 'PartialStatement' && node.type !== 'PartialBlockStatement') return;
        const ref = (node as hbs.AST.PartialStatement).name;
        if (ref.type !== 'PathExpression') return; // dynamic partial: cannot be known statically
        const partial = (ref as hbs.AST.PathExpression).original;
        if (partial === '@partial-block' || used.has(partial) || inline.has(partial)) return;
        const entry = this.partials.get(partial);
        if (!entry) {
          if (opts.requireAll) {
            throw new AppError(ErrorCode.TemplateInvalid, `template '${owner}' uses the partial '${partial}', which is not in templates/partials/`, {
              template: owner,
              partial,
            });
          }
          return;
        }
        used.add(partial);
        visit(entry.ast, `partials/${partial}`);
      });
    };
    visit(this.entry(name).ast, name);
    return used;
  }

  /**
   * The data paths a template reads, sorted: `complainant`, `returnVisit.satisfied`,
   * `items.name` (a field of each element of `items`). Helper names, `this`, `@index` and other
   * `@` data are left out; hash arguments passed to a partial are not fields; fields the
   * partials read from the context are included.
   */
  referencedFields(name: string): string[] {
    const fields = new Set<string>();
    const helpers = new Set([...BUILTIN_HELPERS, ...Object.keys(this.hb.helpers)]);
    const ast = this.entry(name).ast;
    collectFields(ast, rootScope(), { fields, helpers, partials: this.partials, inline: inlinePartials(ast), visiting: new Set() });
    return [...fields].sort();
  }

  /** The first segment of each referenced path (`returnVisit`, `complainant`, ...). */
  referencedRootFields(name: string): string[] {
    return [...new Set(this.referencedFields(name).map((p) => p.split('.')[0]))].sort();
  }

  private entry(name: string): Entry {
    const entry = this.templates.get(name);
    if (!entry) {
      const known = this.names();
      throw new AppError(ErrorCode.NotFound, `template '${name}' not found; known templates: ${known.length ? known.join(', ') : '(none)'}`, {
        template: name,
      });
    }
    return entry;
  }

  private parse(source: string, name: string): AST {
    try {
      return this.hb.parse(source);
    } catch (err) {
      throw new AppError(ErrorCode.TemplateInvalid, `template '${name}' has a syntax error: ${(err as Error).message}`, { template: name });
    }
  }
}

function listHbs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listHbs(full));
    else if (entry.isFile() && entry.name.endsWith('.hbs')) out.push(full);
  }
  return out.sort();
}

/** Inline partials (`{{#*inline "name"}}…{{/inline}}`) defined anywhere in an AST, by name. */
function inlinePartials(ast: AST): Map<string, hbs.AST.Program> {
  const found = new Map<string, hbs.AST.Program>();
  walk(ast, (node) => {
    if (node.type !== 'DecoratorBlock') return;
    const d = node as hbs.AST.DecoratorBlock;
    const first = d.params[0];
    if (d.path.type === 'PathExpression' && d.path.original === 'inline' && first?.type === 'StringLiteral') {
      found.set((first as hbs.AST.StringLiteral).value, d.program);
    }
  });
  return found;
}

/** Visits every node of a Handlebars AST (pre-order). */
function walk(node: Node | null | undefined, visit: (n: Node) => void): void {
  if (!node || typeof node !== 'object') return;
  visit(node);
  const n = node as unknown as Record<string, unknown>;
  for (const key of ['body', 'program', 'inverse', 'params', 'hash', 'pairs', 'value', 'path', 'name']) {
    const child = n[key];
    if (Array.isArray(child)) child.forEach((c) => walk(c as Node, visit));
    else if (child && typeof child === 'object' && 'type' in child) walk(child as Node, visit);
  }
}

// ---------------------------------------------------------------------------------------------
// Field analysis

/**
 * Where relative paths point: `prefix` is the data path of `this` (undefined when unknown, e.g.
 * inside a custom block helper's new context), `blockParams` maps `as |item i|` names.
 */
interface Scope {
  readonly prefix: string[] | undefined;
  readonly blockParams: ReadonlyMap<string, string[] | undefined>;
  readonly parent?: Scope;
  /** Names provided as hash arguments to the partial being walked: not data fields. */
  readonly hashNames?: ReadonlySet<string>;
}

interface Analysis {
  readonly fields: Set<string>;
  readonly helpers: ReadonlySet<string>;
  readonly partials: ReadonlyMap<string, Entry>;
  /** `{{#*inline "name"}}` partials defined in the template being analysed. */
  readonly inline: ReadonlyMap<string, hbs.AST.Program>;
  readonly visiting: Set<string>;
}

function rootScope(): Scope {
  return { prefix: [], blockParams: new Map() };
}

function collectFields(program: hbs.AST.Program | null | undefined, scope: Scope, a: Analysis): void {
  for (const stmt of program?.body ?? []) statement(stmt, scope, a);
}

function statement(node: hbs.AST.Statement, scope: Scope, a: Analysis): void {
  switch (node.type) {
    case 'MustacheStatement': {
      const m = node as hbs.AST.MustacheStatement;
      call(m.path, m.params, m.hash, scope, a);
      return;
    }
    case 'BlockStatement': {
      const b = node as hbs.AST.BlockStatement;
      call(b.path, b.params, b.hash, scope, a, true);
      const helper = b.path.type === 'PathExpression' ? (b.path as hbs.AST.PathExpression).original : '';
      const blockParams = ((b.program as unknown as { blockParams?: string[] }).blockParams ?? []) as string[];
      let inner: Scope = scope;
      if (SCOPING_HELPERS.has(helper) && b.params[0]) {
        const target = resolve(b.params[0], scope, a);
        const elem = target; // `items.name` stands for the field `name` of each element of `items`
        if (blockParams.length) {
          const map = new Map<string, string[] | undefined>();
          map.set(blockParams[0], elem);
          // `each` gives the index/key as the second block param: not a data field.
          if (blockParams[1]) map.set(blockParams[1], undefined);
          inner = { prefix: elem, blockParams: map, parent: scope };
        } else {
          inner = { prefix: elem, blockParams: new Map(), parent: scope };
        }
      } else if (b.params.length === 0 && !a.helpers.has(helper)) {
        // `{{#field}}…{{/field}}` (blockHelperMissing): iterates or scopes into the field.
        const target = resolve(b.path, scope, a);
        if (target?.length) a.fields.add(target.join('.'));
        inner = { prefix: target, blockParams: new Map(), parent: scope };
      }
      collectFields(b.program, inner, a);
      collectFields(b.inverse, scope, a);
      return;
    }
    case 'PartialStatement':
    case 'PartialBlockStatement': {
      const p = node as hbs.AST.PartialBlockStatement;
      for (const pair of p.hash?.pairs ?? []) expression(pair.value, scope, a);
      p.params.forEach((x) => expression(x, scope, a));
      if (node.type === 'PartialBlockStatement') collectFields(p.program, scope, a);
      if (p.name.type !== 'PathExpression') return;
      const partialName = (p.name as hbs.AST.PathExpression).original;
      const program = a.inline.get(partialName) ?? a.partials.get(partialName)?.ast;
      if (!program || a.visiting.has(partialName)) return;
      // A context argument (`{{> card person}}`) re-roots the partial at that path.
      const prefix = p.params[0] ? resolve(p.params[0], scope, a) : scope.prefix;
      const hashNames = new Set((p.hash?.pairs ?? []).map((x) => x.key));
      a.visiting.add(partialName);
      collectFields(program, { prefix, blockParams: new Map(), parent: scope, hashNames }, a);
      a.visiting.delete(partialName);
      return;
    }
    default:
      return; // content, comments
  }
}

/** A mustache or block head: a helper call or a field read. */
function call(
  path: hbs.AST.PathExpression | hbs.AST.Literal,
  params: hbs.AST.Expression[],
  hash: hbs.AST.Hash | undefined,
  scope: Scope,
  a: Analysis,
  isBlock = false,
): void {
  params.forEach((p) => expression(p, scope, a));
  for (const pair of hash?.pairs ?? []) expression(pair.value, scope, a);
  if (path.type !== 'PathExpression') return;
  const p = path as hbs.AST.PathExpression;
  const isHelper = a.helpers.has(p.original) || params.length > 0 || (hash?.pairs.length ?? 0) > 0;
  if (!isHelper && !isBlock) expression(p, scope, a);
}

function expression(node: hbs.AST.Expression, scope: Scope, a: Analysis): void {
  if (node.type === 'SubExpression') {
    const s = node as hbs.AST.SubExpression;
    call(s.path, s.params, s.hash, scope, a);
    return;
  }
  if (node.type === 'PathExpression') {
    const path = resolve(node, scope, a);
    if (path && path.length) a.fields.add(path.join('.'));
  }
}

/** The absolute data path an expression reads, or undefined when it is not a data field. */
function resolve(node: hbs.AST.Expression, scope: Scope, a: Analysis): string[] | undefined {
  if (node.type === 'SubExpression') {
    expression(node, scope, a);
    return undefined;
  }
  if (node.type !== 'PathExpression') return undefined;
  const p = node as hbs.AST.PathExpression;
  if (p.data) {
    // `@root.x` reads the root context; `@index`, `@key`, `@first` … are not fields.
    return p.parts[0] === 'root' ? p.parts.slice(1) : undefined;
  }
  let s: Scope | undefined = scope;
  for (let i = 0; i < p.depth && s; i++) s = s.parent;
  if (!s) return undefined;
  const parts = p.parts;
  if (parts.length === 0) return s.prefix; // `this` / `.`
  if (p.depth === 0 && !(p.original.startsWith('this.') || p.original.startsWith('./'))) {
    for (let b: Scope | undefined = s; b; b = b.parent) {
      if (b.blockParams.has(parts[0])) {
        const base = b.blockParams.get(parts[0]);
        return base === undefined ? undefined : [...base, ...parts.slice(1)];
      }
    }
    if (s.hashNames?.has(parts[0])) return undefined;
  }
  return s.prefix === undefined ? undefined : [...s.prefix, ...parts];
}
