import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateCatalog } from '../documents/template-catalog';
import { BusinessCalendar } from '../calendar/business-calendar';
import { dueAt } from '../calendar/deadline-spec';
import { loadDefinition, loadDefinitionFile, loadDefinitionsDir, type TemplateLookup } from './definition-loader';
import type { DefinitionProblem } from './definition.types';

const FIXTURES = join(__dirname, '../../test/fixtures/definitions');
const at = (errors: readonly DefinitionProblem[]) => errors.map((e) => `${e.line}:${e.column} ${e.message}`);

function errorsOf(text: string, templates?: TemplateLookup): DefinitionProblem[] {
  const result = loadDefinition(text, { file: 'x.yaml', templates });
  if (result.ok) throw new Error('expected the definition to be refused');
  return result.errors;
}

/** A small definition; `waiting` lines go under states.waiting (from line 13 on). */
function doc(waiting: string[], more: string[] = []): string {
  return [
    'key: sample', //                                                        1
    'title: 示例', //                                                         2
    'roles: { clerk: {} }', //                                                3
    'start: { roles: [clerk] }', //                                           4
    'rules: { limit: { value: 2 working days } }', //                         5
    'context:', //                                                            6
    '  type: object', //                                                      7
    '  properties:', //                                                       8
    '    note: { type: string }', //                                          9
    'initial: waiting', //                                                    10
    'states:', //                                                             11
    '  waiting:', //                                                          12
    ...waiting,
    '  done: { type: final }',
    ...more,
  ].join('\n');
}

describe('state deadlines', () => {
  it('reports every deadline and schedule mistake with its exact line:column', () => {
    const result = loadDefinitionFile(join(FIXTURES, 'deadline-problems.yaml'), { file: 'deadline-problems.yaml' });
    if (result.ok) throw new Error('expected the fixture to be refused');
    expect(at(result.errors)).toEqual([
      "18:16 cannot read 'after: three days': write e.g. '3 working days', '7 days', '2 hours', '30 minutes', 'end of day', 'rules.replyWithin', 'context.pause.endsAt' or 'every day at 09:00'",
      "20:13 'at: 3 working days': write 'after: 3 working days'",
      "22:16 unknown rule 'limt'; declared rules: 'limit', 'vague', 'negative'. Did you mean 'limit'?",
      "24:16 the rule 'vague' is 'soon', which is not a duration: write a whole number of calendar days (e.g. 7) or a phrase such as '3 working days'",
      "26:16 the rule 'negative' is -2, which is not a duration: write a whole number of calendar days (e.g. 7) or a phrase such as '3 working days'",
      "28:13 'endAt' is not a field of 'context.pause' (in 'context.pause.endAt'); known fields: 'endsAt'. Did you mean 'endsAt'?",
      "30:16 'every day at 09:00' repeats, but a state deadline happens once; a recurring schedule belongs under 'schedules' at the top level",
      "33:15 the deadline sends 'remnid', which 'waiting' does not accept: declare it under 'on' of 'waiting' (or of a state around it) with roles [system]; accepted here: 'remind', 'finish'. Did you mean 'remind'?",
      "35:15 deadline sends 'finish' but that event's roles do not include system; add system to its roles",
      "37:9 a deadline has either 'after' (a duration) or 'at' (a moment), not both",
      "39:9 a deadline needs 'after' (e.g. 'after: 3 working days') or 'at' (e.g. 'at: end of day')",
      "42:18 the payload this deadline sends does not match the payload of 'remind': $.reason must be string",
      "51:12 '3 working days' happens once, but a schedule repeats: write e.g. 'every: month on day 1 at 09:00' (a one-off deadline belongs under a state's 'deadlines')",
      "54:12 cannot read 'every fortnight at 09:00': write e.g. 'every day at 09:00', 'every working day at 09:00', 'every week on monday at 09:00' or 'every month on day 1 at 09:00'",
      "58:5 the schedule 'starter' starts an instance, but 'start.roles' does not include system; add system to start.roles",
      "58:46 'month' is not a field of the context; known fields: 'pause'.",
      "61:20 the schedule sends 'finish' but that event's roles in 'waiting' do not include system; add system to its roles",
      "64:20 the schedule sends 'remid', which no state accepts; declare it under 'on' with roles [system]. Did you mean 'remind'?",
      "65:3 a schedule needs exactly one of 'start' (start an instance of this process) or 'send' (send an event to one)",
    ]);
  });

  it('loads every form of deadline, with an optional payload', () => {
    const result = loadDefinition(
      doc([
        '    deadlines:',
        '      - after: 3 working days',
        '        send: remind',
        '        payload: { reason: 超过回单时限, note: =context.note }',
        '      - after: 7 days',
        '        send: remind',
        '      - at: end of day',
        '        send: remind',
        '      - after: rules.limit',
        '        send: remind',
        '      - at: context.note',
        '        send: remind',
        '      - after: 3个工作日',
        '        send: remind',
        '    on:',
        '      remind: { roles: [system] }',
        '      finish: { roles: [clerk], target: done }',
      ]),
      { file: 'x.yaml' },
    );
    if (!result.ok) throw new Error(at(result.errors).join('\n'));
    const deadlines = result.definition.states.waiting.deadlines;
    expect(deadlines.map((d) => [d.name, d.spec, d.event])).toEqual([
      ['waiting#0', { kind: 'workingDays', count: 3 }, 'remind'],
      ['waiting#1', { kind: 'days', count: 7 }, 'remind'],
      ['waiting#2', { kind: 'endOfDay' }, 'remind'],
      ['waiting#3', { kind: 'rule', name: 'limit' }, 'remind'],
      ['waiting#4', { kind: 'context', path: 'note' }, 'remind'],
      ['waiting#5', { kind: 'workingDays', count: 3 }, 'remind'],
    ]);
    expect(deadlines[0].payload.reason).toEqual({ kind: 'literal', value: '超过回单时限' });
    expect(deadlines[0].payload.note.kind).toBe('expression');
    expect(deadlines[0].position).toMatchObject({ line: 14, column: 9, path: 'states.waiting.deadlines.0' });
    expect(result.definition.states.done.deadlines).toEqual([]);
    expect(result.definition.schedules).toEqual([]);
    // An event only the system sends is not "unsendable".
    expect(result.findings).toEqual([]);
  });

  it("reads 'at: context.<field>' holding a date without a time as the end of that day", () => {
    const result = loadDefinition(doc(['    deadlines:', '      - at: context.note', '        send: remind', '    on:', '      remind: { roles: [system] }']), {
      file: 'x.yaml',
    });
    if (!result.ok) throw new Error(at(result.errors).join('\n'));
    const [deadline] = result.definition.states.waiting.deadlines;
    const context: Record<string, string> = { note: '2026-03-10' };
    const due = (calendar: BusinessCalendar) =>
      dueAt(deadline.spec, new Date('2026-03-01T01:00:00Z'), calendar, (ref) => (ref.kind === 'context' ? context[ref.path] : undefined));
    // A works end date of the 10th falls due at 18:00 on the 10th in Shanghai, not at its first minute.
    expect(due(new BusinessCalendar()).toISOString()).toBe('2026-03-10T10:00:00.000Z');
    expect(due(new BusinessCalendar({ endOfDay: '17:00' })).toISOString()).toBe('2026-03-10T09:00:00.000Z');
  });

  it('accepts an event declared by an ancestor, but not when an inner state declares it without system', () => {
    const errors = errorsOf(
      doc([
        '    initial: a',
        '    deadlines:',
        '      - after: 1 day',
        '        send: remind',
        '    on:',
        '      remind: { roles: [system] }',
        '      finish: { roles: [clerk], target: done }',
        '    states:',
        '      a:',
        '        deadlines: [{ after: 2 hours, send: remind }]',
        '        on:',
        '          remind: { roles: [clerk] }',
      ]),
    );
    expect(at(errors)).toEqual([
      "16:15 deadline sends 'remind' but that event's roles in 'a' do not include system; add system to its roles",
      "22:45 deadline sends 'remind' but that event's roles do not include system; add system to its roles",
    ]);
  });

  it('refuses a deadline payload missing a field the event requires', () => {
    const errors = errorsOf(
      doc([
        '    deadlines:',
        '      - at: end of day',
        '        send: remind',
        '    on:',
        '      remind: { roles: [system], payload: { type: object, required: [reason] } }',
        '      finish: { roles: [clerk], target: done }',
      ]),
    );
    expect(at(errors)).toEqual(["15:15 the payload this deadline sends does not match the payload of 'remind': $.reason is required"]);
  });

  it('refuses an unknown key in a deadline', () => {
    const errors = errorsOf(
      doc(['    deadlines:', '      - after: 1 day', '        sned: remind', '    on:', '      finish: { roles: [clerk], target: done }']),
    );
    expect(at(errors)[0]).toMatch(/^14:9 missing key 'send' in 'states.waiting.deadlines.0'/);
    expect(at(errors)[1]).toMatch(/^15:9 unknown key 'sned' in 'states.waiting.deadlines.0'. Did you mean 'send'\?/);
  });
});

describe('schedules', () => {
  it('loads a start schedule and a send schedule', () => {
    const text = doc(
      ['    on:', '      remind: { roles: [system] }', '      finish: { roles: [clerk], target: done }'],
      [
        'schedules:',
        '  monthly:',
        '    title: 月报',
        '    every: month on the last day at 17:00',
        '    start: { businessKey: \'="r-" + string(now.getFullYear("Asia/Shanghai"))\', context: { note: 自动 } }',
        '  daily:',
        '    every: every working day at 09:00',
        '    send: { event: remind, to: =rules.limit, payload: { why: 每日提醒 } }',
      ],
    ).replace('start: { roles: [clerk] }', 'start: { roles: [clerk, system] }');
    const result = loadDefinition(text, { file: 'x.yaml' });
    if (!result.ok) throw new Error(at(result.errors).join('\n'));
    const [monthly, daily] = result.definition.schedules;
    expect(monthly).toMatchObject({ name: 'monthly', title: '月报', spec: { kind: 'every', period: 'month', day: 'last', time: '17:00' } });
    expect(monthly.start?.context.note).toEqual({ kind: 'literal', value: '自动' });
    expect(monthly.send).toBeUndefined();
    expect(daily).toMatchObject({
      name: 'daily',
      spec: { period: 'workingDay' },
      send: { event: 'remind', payload: { why: { kind: 'literal', value: '每日提醒' } } },
    });
    expect(daily.position).toMatchObject({ line: 22, column: 3 });
  });

  it('checks schedule expressions like any other', () => {
    const errors = errorsOf(
      doc(
        ['    on:', '      remind: { roles: [system] }', '      finish: { roles: [clerk], target: done }'],
        ['schedules:', '  daily:', '    every: day at 09:00', '    send: { event: remind, to: =rules.limt }'],
      ),
    );
    expect(at(errors)).toEqual(["20:39 unknown rule 'limt' in `rules.limt`; declared rules: 'limit'. Did you mean 'limit'?"]);
  });

  it('repeats by a rule holding the phrase, and starts once per element of forEach', () => {
    const text = doc(
      ['    on:', '      finish: { roles: [clerk], target: done }'],
      [
        'schedules:',
        '  regular:',
        '    every: rules.cadence',
        '    forEach: =rules.teams',
        '    start: { businessKey: \'="r-" + payload.team\', context: { note: =payload.team } }',
      ],
    )
      .replace('start: { roles: [clerk] }', 'start: { roles: [clerk, system] }')
      .replace('rules: { limit: { value: 2 working days } }', 'rules: { cadence: { value: half year on day 1 at 09:00 }, teams: { value: [{ team: A }] } }');
    const result = loadDefinition(text, { file: 'x.yaml' });
    if (!result.ok) throw new Error(at(result.errors).join('\n'));
    expect(result.definition.schedules[0]).toMatchObject({ spec: { period: 'month', day: 1, everyMonths: 6 }, forEach: { kind: 'expression' } });
  });

  it('refuses a cadence rule that is missing or holds no phrase, and a forEach that is no list', () => {
    const errors = errorsOf(
      doc(
        ['    on:', '      remind: { roles: [system] }', '      finish: { roles: [clerk], target: done }'],
        [
          'schedules:',
          '  a:',
          '    every: rules.cadense',
          '    send: { event: remind, to: x }',
          '  b:',
          '    every: rules.limit',
          '    send: { event: remind, to: x }',
          '  c:',
          '    every: day at 09:00',
          '    forEach: 3',
          '    send: { event: remind, to: x }',
        ],
      ),
    );
    expect(at(errors)).toEqual([
      "19:12 the schedule repeats by the rule 'cadense', which is not declared under 'rules'.",
      "22:12 '2 working days' happens once, but a schedule repeats: write e.g. 'every: month on day 1 at 09:00' (a one-off deadline belongs under a state's 'deadlines')",
      "26:14 'forEach' takes a list, or an expression giving one (e.g. '=rules.surveyedProjects'); each element is 'payload' in the schedule's expressions",
    ]);
  });
});

describe('actions', () => {
  const withActions = (actions: string[]) =>
    doc(['    on:', '      finish:', '        roles: [clerk]', '        target: done', '        actions:', ...actions]);

  it('accepts post and returns it as an effect kind', () => {
    const result = loadDefinition(withActions(['          - post: { template: notice, title: =context.note }']), {
      file: 'x.yaml',
      templates: { has: () => true },
    });
    if (!result.ok) throw new Error(at(result.errors).join('\n'));
    const [post] = result.definition.states.waiting.on.finish.branches[0].actions;
    expect(post.kind).toBe('post');
    expect(post.params.template).toEqual({ kind: 'literal', value: 'notice' });
    expect(post.params.title.kind).toBe('expression');
  });

  it('needs a title for post and checks its template', () => {
    const errors = errorsOf(withActions(['          - post: { template: gone }']), { has: () => false, dir: 'templates' });
    expect(at(errors)).toEqual([
      "18:13 missing key 'title' in 'states.waiting.on.finish.actions.0.post'",
      "18:31 the template 'gone' does not exist: expected the file templates/gone.hbs",
    ]);
  });

  it("refuses 'definition' in an emit to parent", () => {
    const errors = errorsOf(withActions(['          - emit: { event: done, to: parent, definition: round }']));
    expect(at(errors)).toEqual(["18:46 an emit to 'parent' goes to the instance that started this one, whose process is known: remove 'definition'"]);
  });
});

describe('template field check', () => {
  function templatesDir(files: Record<string, string>): TemplateLookup {
    const dir = mkdtempSync(join(tmpdir(), 'wf-templates-'));
    mkdirSync(join(dir, 'partials'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const catalog = TemplateCatalog.fromDirectory(dir);
    return { has: (n) => catalog.has(n), fields: (n) => catalog.referencedRootFields(n), dir };
  }

  it('accepts context properties and the meta fields, and refuses any other field at the action', () => {
    const templates = templatesDir({
      'record.hbs': '{{businessKey}} {{renderedAt}} {{instanceId}} {{definitionTitle}} {{stateTitle}} {{note}} {{#each items}}{{name}}{{/each}}',
      'partials/footer.hbs': '{{replyAt}}',
      'letter.hbs': '{{note}} {{returnVisit.comment}} {{> footer}}',
    });
    const text = doc([
      '    entry:',
      '      - render: record',
      '      - email: { to: a@example.com, subject: 回复, template: letter }',
      '      - post: { template: letter, title: 公告 }',
      '    on:',
      '      finish: { roles: [clerk], target: done }',
    ]);
    expect(at(errorsOf(text, templates))).toEqual([
      "14:9 template 'record' reads 'items', which the context schema does not declare; declare it under context.properties or change the template",
      "15:9 template 'letter' reads 'replyAt', which the context schema does not declare; declare it under context.properties or change the template",
      "15:9 template 'letter' reads 'returnVisit', which the context schema does not declare; declare it under context.properties or change the template",
      "16:9 template 'letter' reads 'replyAt', which the context schema does not declare; declare it under context.properties or change the template",
      "16:9 template 'letter' reads 'returnVisit', which the context schema does not declare; declare it under context.properties or change the template",
    ]);
    const declared = text.replace(
      '    note: { type: string }',
      '    note: { type: string }\n    items: { type: array }\n    replyAt: { type: string }\n    returnVisit: { type: object }',
    );
    expect(loadDefinition(declared, { file: 'x.yaml', templates }).ok).toBe(true);
  });

  it('skips the check when the context schema lists no properties', () => {
    const templates = templatesDir({ 'record.hbs': '{{anything}}' });
    const text = doc(['    entry: [{ render: record }]', '    on:', '      finish: { roles: [clerk], target: done }']).replace(
      /context:\n {2}type: object\n {2}properties:\n {4}note: \{ type: string \}\n/,
      'context: { type: object }\n',
    );
    expect(loadDefinition(text, { file: 'x.yaml', templates }).ok).toBe(true);
  });

  it('validates complaint.yaml against the real templates/ folder', () => {
    const catalog = TemplateCatalog.fromDirectory(join(__dirname, '../../templates'));
    const templates: TemplateLookup = { has: (n) => catalog.has(n), fields: (n) => catalog.referencedRootFields(n) };
    const result = loadDefinition(readFileSync(join(__dirname, '../../definitions/complaint.yaml'), 'utf8'), { file: 'complaint.yaml', templates });
    if (!result.ok) throw new Error(at(result.errors).join('\n'));
    expect(result.findings).toEqual([]);
  });
});

describe('events between instances', () => {
  const process = (key: string, startRoles: string, waiting: string[], actions: string[] = []) =>
    [
      `key: ${key}`,
      'title: x',
      'roles: { clerk: {} }',
      `start: { roles: [${startRoles}] }`,
      'initial: waiting',
      'states:',
      '  waiting:',
      '    on:',
      '      finish:',
      '        roles: [clerk]',
      '        target: done',
      ...(actions.length ? ['        actions:', ...actions] : []),
      ...waiting,
      '  done: { type: final }',
    ].join('\n');

  it("needs the process's own key under 'from' of an event emitted to an instance of the same process (system is the engine only)", () => {
    const errors = errorsOf(
      process(
        'round',
        'clerk',
        ['      ping: { roles: [clerk] }'],
        ['          - emit: { event: ping, to: =payload.key }', '          - emit: { event: pong, to: =payload.key }'],
      ),
    );
    expect(at(errors)).toEqual([
      "13:28 the emit action sends 'ping' to an instance of this process, but no state accepts it from 'round': list round under 'from' of 'ping' (declared in 'waiting'); 'system' in its roles means the engine only, never a process",
      "14:28 the emit action sends 'pong' to an instance of this process (no 'definition' given), but no state here accepts 'pong'; declare it with from: [round], or name the other process in 'definition'",
    ]);
    const fixed = process('round', 'clerk', ['      ping: { roles: [clerk], from: [round] }'], ['          - emit: { event: ping, to: =payload.key }']);
    expect(loadDefinition(fixed, { file: 'x.yaml' }).ok).toBe(true);
  });

  it("checks a started or emitted-to process of the same folder accepts it from the sender's key (from:, start.from)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-defs-'));
    writeFileSync(
      join(dir, 'parent.yaml'),
      process(
        'parent',
        'clerk',
        ['      childDone: { roles: [system] }'],
        [
          '          - start: { definition: child, businessKey: =payload.key }',
          '          - emit: { event: poke, to: =payload.key, definition: child }',
          '          - emit: { event: nudge, to: =payload.key, definition: child }',
        ],
      ),
    );
    writeFileSync(join(dir, 'child.yaml'), process('child', 'clerk', ['      poke: { roles: [clerk] }']));
    const result = loadDefinitionsDir(dir);
    if (result.ok) throw new Error('expected problems');
    expect(result.errors.map((e) => `${e.file.slice(dir.length + 1)}:${e.line}:${e.column} ${e.message}`)).toEqual([
      "parent.yaml:13:13 the start action starts 'child', but 'child' does not accept being started by 'parent': child.yaml would have to list parent under start.from (start: { from: [parent] })",
      "parent.yaml:14:13 the emit action sends 'poke' to 'child', but 'child' does not accept 'poke' from 'parent': child.yaml would have to list parent under 'from' of 'poke' (declared in 'waiting')",
      "parent.yaml:15:13 the emit action sends 'nudge' to 'child', but no state of 'child' accepts 'nudge': child.yaml would have to declare 'nudge' with from: [parent]",
    ]);
    // system in the target's roles lets the engine in (deadlines, schedules), never another process.
    writeFileSync(join(dir, 'child.yaml'), process('child', 'clerk, system', ['      poke: { roles: [clerk, system] }', '      nudge: { roles: [system] }']));
    expect(loadDefinitionsDir(dir).ok).toBe(false);
    writeFileSync(
      join(dir, 'child.yaml'),
      process(
        'child',
        'clerk], from: [parent',
        ['      poke: { roles: [clerk], from: [parent] }', '      nudge: { from: [parent] }'],
        ['          - emit: { event: childDone, to: parent }'],
      ),
    );
    expect(loadDefinitionsDir(dir).ok).toBe(true);
  });
});
