import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefinition, loadDefinitionFile, loadDefinitionsDir } from './definition-loader';
import type { DefinitionProblem } from './definition.types';

const FIXTURES = join(__dirname, '../../test/fixtures/definitions');
const COMPLAINT = join(__dirname, '../../definitions/complaint.yaml');

/** A small valid definition; `extra` lines are appended under `states.open`. */
function doc(openState: string[] = [], more: string[] = []): string {
  return [
    'key: sample', //                       1
    'title: 示例', //                        2
    'roles:', //                             3
    '  clerk: { title: 文员 }', //           4
    'start:', //                             5
    '  roles: [clerk]', //                   6
    'rules:', //                             7
    '  limit: { value: 3 }', //              8
    'context:', //                           9
    '  type: object', //                     10
    '  properties:', //                      11
    '    count: { type: integer }', //       12
    '    closed: { type: boolean }', //      13
    'initial: open', //                      14
    'states:', //                            15
    '  open:', //                            16
    ...openState, //                         17...
    '  done:',
    '    type: final',
    ...more,
  ].join('\n');
}

const at = (errors: readonly DefinitionProblem[]) => errors.map((e) => `${e.line}:${e.column} ${e.message}`);

function errorsOf(text: string, options: Partial<Parameters<typeof loadDefinition>[1]> = {}): DefinitionProblem[] {
  const result = loadDefinition(text, { file: 'x.yaml', ...options });
  if (result.ok) throw new Error('expected the definition to be refused');
  return result.errors;
}

describe('loadDefinition', () => {
  it('loads the bundled complaint definition with zero errors and zero findings', () => {
    const templates = { has: (n: string) => ['complaint-record', 'service-complaint-slip'].includes(n) };
    const result = loadDefinition(readFileSync(COMPLAINT, 'utf8'), { file: 'complaint.yaml', templates });
    if (!result.ok) throw new Error(at(result.errors).join('\n'));
    expect(result.findings).toEqual([]);
    expect(result.definition.key).toBe('complaint');
    expect(result.definition.states.inProgress.path).toEqual(['handling', 'inProgress']);
    expect(Object.keys(result.definition.roles).sort()).toEqual(['cs_assistant', 'cs_supervisor', 'dept_head', 'manager']);
  });

  it('computes the SHA-256 of the text and deep-freezes the result', () => {
    const text = doc(['    on:', '      finish: { roles: [clerk], target: done }']);
    const result = loadDefinition(text, { file: 'x.yaml' });
    if (!result.ok) throw new Error(at(result.errors).join('\n'));
    expect(result.definition.source.hash).toBe(createHash('sha256').update(text).digest('hex'));
    expect(Object.isFrozen(result.definition)).toBe(true);
    expect(Object.isFrozen(result.definition.states.open.on.finish.branches[0])).toBe(true);
    expect(() => {
      (result.definition.states as Record<string, unknown>).extra = {};
    }).toThrow(TypeError);
  });

  it('reports every problem of a file at once, sorted, with exact line:column', () => {
    const result = loadDefinitionFile(join(FIXTURES, 'many-problems.yaml'), { file: 'many-problems.yaml' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => `${e.file}:${e.line}:${e.column}`)).toEqual([
      'many-problems.yaml:1:6', // key: Many Problems
      'many-problems.yaml:6:18', // undeclared role boss
      'many-problems.yaml:12:5', // titel
      'many-problems.yaml:16:21', // rules.limt
      'many-problems.yaml:17:17', // target closd
    ]);
    expect(result.errors[2].message).toContain("unknown key 'titel'");
    expect(result.errors[2].message).toContain("Did you mean 'title'?");
    expect(result.errors[3].message).toContain("unknown rule 'limt'");
    expect(result.errors[3].message).toContain("Did you mean 'limit'?");
    expect(result.errors[4].message).toContain("Did you mean 'closed'?");
  });

  it('reads notBy (start = the creation of the case) and refuses a name that is no event, at its position', () => {
    const good = loadDefinition(doc(['    on:', '      finish: { roles: [clerk], notBy: [start, finish], target: done }']), { file: 'x.yaml' });
    expect(good.ok && good.definition.states.open.on.finish.notBy).toEqual(['$start', 'finish']);
    expect(at(errorsOf(doc(['    on:', '      finish: { roles: [clerk], notBy: [fnish], target: done }'])))).toEqual([
      "18:41 'notBy' names 'fnish', which is not an event of this definition; write an event name or 'start' (the creation of the case). Did you mean 'finish'?",
    ]);
  });

  it('points an unknown key at the key itself', () => {
    const errors = errorsOf(doc(['    on:', '      finish: { roles: [clerk], tagret: done }']));
    expect(at(errors)).toEqual([
      "18:33 unknown key 'tagret' in 'states.open.on.finish'. Did you mean 'target'? Allowed keys here: title, description, roles, from, via, api, notBy, opinion, payload, compute, when, reject, target, assign, actions, branches.",
    ]);
    expect(errors[0].path).toBe('states.open.on.finish.tagret');
  });

  it('explains a wrong type in plain words', () => {
    const errors = errorsOf(doc(['    on:', '      finish: { roles: clerk, target: done }']));
    expect(at(errors)).toEqual(["18:24 'states.open.on.finish.roles' must be a list, but it is the text 'clerk'"]);
  });

  it('names a missing target, lists the states and suggests the closest', () => {
    const errors = errorsOf(doc(['    on:', '      finish: { roles: [clerk], target: dnoe }']));
    expect(at(errors)).toEqual(["18:41 the target state 'dnoe' does not exist. Did you mean 'done'? Existing states: 'open', 'done'"]);
  });

  it('refuses an undeclared role but accepts the built-in system role', () => {
    const errors = errorsOf(doc(['    on:', '      finish: { roles: [clerk, clark, system], target: done }']));
    expect(at(errors)).toEqual(["18:32 the role 'clark' is not declared under 'roles'; declared roles: 'clerk'. Did you mean 'clerk'?"]);
  });

  it('refuses an unknown rule and an unknown context field in expressions', () => {
    const errors = errorsOf(doc(['    on:', '      finish:', '        roles: [clerk]', '        when: context.cont > rules.limt', '        target: done']));
    expect(at(errors)).toEqual([
      "20:23 'cont' is not a field of the context (in `context.cont > rules.limt`); known fields: 'count', 'closed'. Did you mean 'count'?",
      "20:36 unknown rule 'limt' in `context.cont > rules.limt`; declared rules: 'limit'. Did you mean 'limit'?",
    ]);
  });

  it('checks payload fields against the event payload schema', () => {
    const errors = errorsOf(
      doc([
        '    on:',
        '      finish:',
        '        roles: [clerk]',
        '        payload: { type: object, properties: { ok: { type: boolean } } }',
        '        when: payload.okk',
        '        target: done',
      ]),
    );
    expect(at(errors)).toEqual(["21:23 'okk' is not a field of the event's payload (in `payload.okk`); known fields: 'ok'. Did you mean 'ok'?"]);
  });

  it('reports an expression syntax error at its position', () => {
    const errors = errorsOf(doc(['    on:', '      finish:', '        roles: [clerk]', '        assign: { count: "=context.count +" }']));
    expect(errors).toHaveLength(1);
    expect(errors[0].line).toBe(20);
    expect(errors[0].column).toBe(28 + 'context.count +'.length);
    expect(errors[0].message).toMatch(/^the expression `context.count \+` cannot be read: Unexpected token: EOF/);
  });

  it.each(['process.env.HOME', 'constructor', 'this', 'globalThis'])('refuses the name in `%s` at load', (source) => {
    const errors = errorsOf(doc(['    on:', '      finish:', '        roles: [clerk]', `        when: ${source}`, '        target: done']));
    const name = source.split('.')[0];
    expect(at(errors)).toEqual([`20:15 unknown name '${name}' in \`${source}\`; expressions can use context, payload, rules, actor, now, instance`]);
  });

  it('refuses a file larger than the limit with one error at 1:1', () => {
    const errors = errorsOf(doc() + '\n# ' + 'x'.repeat(2000), { maxBytes: 1024 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 1, column: 1 });
    expect(errors[0].message).toMatch(/larger than the limit of 1 KiB/);
  });

  it('refuses state names used twice, at any level', () => {
    const errors = errorsOf(
      doc(['    initial: inner', '    states:', '      inner: {}', '      done: {}', '    on:', '      go: { roles: [clerk], target: done }']),
    );
    expect(at(errors)).toEqual([
      "23:3 the state name 'done' is used twice (first at line 20); state names must be unique at every level, because a target is just a name",
    ]);
  });

  it('refuses duplicate keys in the same map', () => {
    const errors = errorsOf(doc(['    title: 一', '    title: 二']));
    expect(at(errors)).toEqual(["18:5 duplicate key 'title': each key may appear only once in the same map"]);
  });

  it('checks compound and final states and initial states', () => {
    const errors = errorsOf(
      doc(['    states:', '      a: {}'], ['  shut:', '    type: final', '    on:', '      reopen: { roles: [clerk], target: open }']).replace(
        'initial: open',
        'initial: a',
      ),
    );
    expect(at(errors)).toEqual([
      "14:10 the initial state 'a' is not one of the states of the definition ('a' exists, but not at this level); they are: 'open', 'done', 'shut'.",
      "16:3 'open' contains states, so it needs 'initial: <the state entered first>' (one of 'a')",
      "23:5 'shut' is a final state: nothing happens after it, so it cannot have 'on' (remove 'type: final' or 'on')",
    ]);
  });

  it('checks templates when a template lookup is given, naming the folder', () => {
    const text = doc(['    entry:', '      - render: missing-one', '      - render: { template: present }']);
    expect(loadDefinition(text, { file: 'x.yaml' }).ok).toBe(true);
    const errors = errorsOf(text, { templates: { has: (n) => n === 'present', dir: 'templates/' } });
    expect(at(errors)).toEqual(["18:17 the template 'missing-one' does not exist: expected the file templates/missing-one.hbs"]);
  });

  it('refuses a notify to an undeclared role and a branch list with inline keys', () => {
    const errors = errorsOf(
      doc([
        '    on:',
        '      go:',
        '        roles: [clerk]',
        '        target: done',
        '        branches:',
        '          - actions: [{ notify: { role: boss, message: hi } }]',
      ]),
    );
    expect(at(errors)).toEqual([
      "20:9 'target' cannot be used together with 'branches': move it into one of the branches",
      "22:41 the notify action names the role 'boss', which is not declared under 'roles'.",
    ]);
  });

  it('refuses branches after one without a condition', () => {
    const errors = errorsOf(
      doc(['    on:', '      go:', '        roles: [clerk]', '        branches:', '          - target: done', '          - when: "true"']),
    );
    expect(at(errors)).toEqual(["21:13 this branch has no 'when', so it is always taken: the 1 branch(es) after it can never be reached"]);
  });

  it('reports YAML syntax errors together with schema errors', () => {
    const errors = errorsOf(doc(['    title: "unterminated', '    colour: red']));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0].message).toMatch(/^YAML syntax error/);
  });
});

describe('loadDefinitionsDir', () => {
  it('collects the errors of all files and refuses duplicate keys across files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-defs-'));
    const good = doc(['    on:', '      finish: { roles: [clerk], target: done }']);
    writeFileSync(join(dir, 'a.yaml'), good);
    writeFileSync(join(dir, 'b.yml'), good);
    writeFileSync(join(dir, 'c.yaml'), good.replace('key: sample', 'key: other').replace('target: done', 'target: gone'));
    writeFileSync(join(dir, 'notes.txt'), 'not a definition');
    const result = loadDefinitionsDir(dir);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.file.slice(dir.length + 1), e.line, e.message.slice(0, 40)])).toEqual([
      ['b.yml', 1, "the key 'sample' is already used by a.ya"],
      ['c.yaml', 18, "the target state 'gone' does not exist. "],
    ]);
  });

  it('loads a folder of good definitions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-defs-'));
    writeFileSync(join(dir, 'a.yaml'), doc(['    on:', '      finish: { roles: [clerk], target: done }']));
    const result = loadDefinitionsDir(dir);
    expect(result.ok && result.definitions.map((d) => d.key)).toEqual(['sample']);
  });
});

describe('compute (domain functions run by the engine before an event)', () => {
  const functions = {
    has: (n: string) => n === 'complaint.monthlyReport',
    names: () => ['complaint.monthlyReport'],
    hasWriter: (n: string) => n === 'survey.excludeHouseholds',
    writerNames: () => ['survey.excludeHouseholds'],
  };
  const withCompute = (compute: string[], payload: string[] = []) =>
    doc([
      '    on:',
      '      finish:',
      '        roles: [clerk]',
      ...payload,
      '        compute:',
      ...compute,
      '        when: has(payload.report)',
      '        target: done',
    ]);

  it('accepts a known function, lets expressions read the computed field and validates the sender payload without it', () => {
    const text = withCompute(
      ['          report: { function: complaint.monthlyReport, with: { month: "=context.count" } }'],
      ['        payload: { type: object, additionalProperties: false, properties: { note: { type: string } } }'],
    );
    const result = loadDefinition(text, { file: 'x.yaml', functions });
    if (!result.ok) throw new Error(at(result.errors).join('\n'));
    const event = result.definition.states.open.on.finish;
    expect(event.compute).toEqual([expect.objectContaining({ field: 'report', function: 'complaint.monthlyReport' })]);
    expect(Object.keys(event.compute[0].args)).toEqual(['month']);
    expect(event.validatePayload({ note: 'x', report: { any: 1 } })).toEqual([]);
    expect(event.validatePayload({ other: 1 })).toHaveLength(1);
  });

  it('refuses an unknown function with its position and the known names', () => {
    const errors = errorsOf(withCompute(['          report: complaint.monthlyReprot']), { functions });
    expect(at(errors)).toEqual([
      "21:19 there is no domain function 'complaint.monthlyReprot'; known functions: 'complaint.monthlyReport'. Did you mean 'complaint.monthlyReport'?",
    ]);
  });

  it('checks the writers named by apply actions', () => {
    const text = doc([
      '    on:',
      '      finish:',
      '        roles: [clerk]',
      '        target: done',
      '        actions:',
      '          - apply: { function: survey.excludeHousehold, with: { ids: =context.count } }',
    ]);
    expect(at(errorsOf(text, { functions }))).toEqual([
      "22:32 there is no domain writer 'survey.excludeHousehold' for 'apply'; known writers: 'survey.excludeHouseholds'. Did you mean 'survey.excludeHouseholds'?",
    ]);
    const ok = loadDefinition(text.replace('excludeHousehold,', 'excludeHouseholds,'), { file: 'x.yaml', functions });
    expect(ok.ok).toBe(true);
  });

  it('refuses a computed field that is also a field the sender fills in', () => {
    const errors = errorsOf(
      withCompute(['          report: complaint.monthlyReport'], ['        payload: { type: object, properties: { report: { type: object } } }']),
      { functions },
    );
    expect(errors.map((e) => e.message)).toEqual(["'report' is computed by the engine, so it cannot also be a payload field the sender fills in"]);
  });
});

describe('YAML syntax errors', () => {
  it('reports the first few and says how many more follow the broken line', () => {
    const text = doc([
      '    on:',
      '      finish:',
      '        roles: [clerk]',
      '        target: done',
      '        assign: { count: =context.count[0], closed: true }',
      '      other: { roles: [clerk] }',
    ]);
    const errors = errorsOf(text).filter((e) => /YAML syntax/.test(e.message));
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatchObject({ line: 21, message: expect.stringContaining('must be put in quotes') });
    expect(errors[3].message).toMatch(/^\d+ more YAML syntax errors follow, most likely caused by the one at line 21/);
  });
});

describe('budget: patterns on RE2, nesting and aliases', () => {
  const withPayload = (payload: string) => doc(['    on:', '      finish:', '        roles: [clerk]', `        payload: ${payload}`, '        target: done']);

  it('validates payload patterns on RE2: a catastrophic pattern answers on 5,000 characters', () => {
    const result = loadDefinition(withPayload('{ type: object, properties: { s: { type: string, pattern: "^(a+)+$" } } }'), { file: 'x.yaml' });
    if (!result.ok) throw new Error(at(result.errors).join('\n'));
    const finish = result.definition.states.open.on.finish;
    expect(finish.validatePayload({ s: 'a'.repeat(5000) + '!' })).toEqual([{ path: '$.s', message: 'must match pattern "^(a+)+$"' }]);
    expect(finish.validatePayload({ s: 'aaa' })).toEqual([]);
  });

  it('refuses a schema pattern RE2 cannot run at the pattern itself, in payloads and the context', () => {
    const payload = '{ type: object, properties: { s: { type: string, pattern: "(a)\\\\1" } } }';
    expect(at(errorsOf(withPayload(payload)))).toEqual([
      `20:76 the payload schema is not a valid JSON Schema: the pattern \`(a)\\1\` cannot be used: back-references (\\1, \\k<name>) are not supported; patterns run on RE2, a linear-time engine without back-references or look-around; rewrite it without them`,
    ]);
    const keys = '{ type: object, patternProperties: { "^(?=x)": { type: string } } }';
    expect(errorsOf(withPayload(keys))).toEqual([expect.objectContaining({ line: 20, column: 55, message: expect.stringMatching(/look-around/) })]);
    const context = doc(['    on:', '      finish: { roles: [clerk], target: done }']).replace(
      '    count: { type: integer }',
      '    count: { type: string, pattern: "(?<!a)b" }',
    );
    expect(errorsOf(context)).toEqual([expect.objectContaining({ line: 12, column: 37, message: expect.stringMatching(/^the context schema .*look-around/) })]);
  });

  it('refuses a file nested deeper than 64 levels at the first node too deep, and nothing else', () => {
    // The file is level 1, `context` 2, `default` 3: the 63rd '[' is level 65.
    const deep = doc(['    on:', '      finish: { roles: [clerk], target: done }']).replace(
      '    closed: { type: boolean }',
      `    closed: { type: boolean }\n  default: { x: ${'['.repeat(70)}${']'.repeat(70)} }`,
    );
    const line = deep.split('\n').findIndex((l) => l.startsWith('  default:')) + 1;
    expect(at(errorsOf(deep))).toEqual([
      `${line}:${'  default: { x: '.length + 62} the YAML is nested deeper than 64 levels of maps and lists here; a definition never needs that many: flatten it`,
    ]);
    // Too deep for the YAML parser's own stack: the same message, where the parser gave up.
    const deeper = deep.replace('['.repeat(70), '['.repeat(100_000)).replace(']'.repeat(70), ']'.repeat(100_000));
    const errors = errorsOf(deeper, { maxBytes: 1024 * 1024 });
    expect(errors).toEqual([expect.objectContaining({ line, message: expect.stringMatching(/nested deeper than 64 levels/) })]);
  });

  it('refuses an alias bomb at its first alias', () => {
    const bomb = doc().replace(
      'rules:',
      [
        'x-lol:',
        '  a: &a [x, x, x, x, x, x, x, x, x]',
        '  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
        '  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
        '  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
        'rules:',
      ].join('\n'),
    );
    const refused = errorsOf(bomb).find((e) => /alias/.test(e.message));
    expect(refused).toMatchObject({ line: 9, column: 10, message: expect.stringMatching(/expand to more than 50 copies/) });
  });
});
