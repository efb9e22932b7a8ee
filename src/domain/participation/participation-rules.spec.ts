import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ErrorCode } from '../../common/app-error';
import { loadParticipationRules, type ParticipationRulesProblem } from './participation-rules';
import { STAGES } from './participation.types';

const ROOT = join(__dirname, '../../..');
const SHIPPED = 'definitions/rules/participation.yaml';
const fixture = (name: string): string => readFileSync(join(ROOT, 'test/fixtures/participation', name), 'utf8');

function problemsOf(text: string, file = 'p.yaml'): ParticipationRulesProblem[] {
  try {
    loadParticipationRules({ text, file });
  } catch (e) {
    if (e instanceof AppError && e.code === ErrorCode.ParticipationRulesInvalid) return e.details!.errors as ParticipationRulesProblem[];
    throw e;
  }
  throw new Error('expected ParticipationRulesInvalid');
}

const brief = (ps: ParticipationRulesProblem[]): string[] => ps.map((p) => `${p.line}:${p.column} ${p.path} ${p.message}`);

describe('loadParticipationRules: the shipped table', () => {
  const rules = loadParticipationRules({ text: readFileSync(join(ROOT, SHIPPED), 'utf8'), file: SHIPPED });

  it('loads with one row per rule of 002 2.1–2.2 and the two fallbacks', () => {
    expect(rules.rules.map((r) => r.id)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5a', 'P5b', 'P5c', 'P5d', 'A0', 'A1', 'A1a', 'A1b', 'A1c', 'A1d', 'A2']);
    expect(rules.fallback).toEqual({
      survey: expect.objectContaining({ id: 'P0' }),
      assess: { id: 'A3', title: '其他情况不参与考核', source: '002 2.2(3)' },
    });
    expect(rules.productTypes).toEqual(['住宅', '公寓(含居住功能)', '公寓(无居住功能)', '商铺', '写字楼', '两限房', '廉租房', '其他配建类']);
    expect(rules.file).toBe(SHIPPED);
  });

  it('expands groups and omitted stages, keeps titles and lines', () => {
    const byId = new Map(rules.rules.map((r) => [r.id, r]));
    expect(byId.get('P1')!.stages).toEqual(STAGES);
    expect(byId.get('P5a')!.stages).toEqual(['准1', '准2']);
    expect(byId.get('A1b')!.stages).toEqual(['磨1', '磨2']);
    expect(byId.get('P3')).toMatchObject({ survey: 'exclude', stages: ['准2', '磨1'], source: '002 2.1(3)' });
    expect(byId.get('P2')!.title).toBe('含有居住功能的公寓类产品只调研“准、磨”阶段业主');
    expect(byId.get('P1')!.line).toBeGreaterThan(1);
    expect(byId.get('A2')!.when).toEqual({
      kind: 'all',
      of: [
        { kind: 'is', field: 'acquired', value: true },
        {
          kind: 'any',
          of: [
            {
              kind: 'date',
              field: 'acquisition.closingDate',
              op: 'onOrAfter',
              operand: { kind: 'field', field: 'acquisition.contractualDeliveryDate', months: 0, days: 0 },
            },
            {
              kind: 'date',
              field: 'acquisition.contractualDeliveryDate',
              op: 'onOrBefore',
              operand: { kind: 'field', field: 'acquisition.closingDate', months: 9, days: 0 },
            },
          ],
        },
      ],
    });
  });

  it('is deeply immutable', () => {
    expect(Object.isFrozen(rules)).toBe(true);
    expect(Object.isFrozen(rules.rules[0])).toBe(true);
    expect(Object.isFrozen(rules.rules[0].stages)).toBe(true);
    expect(Object.isFrozen(rules.rules[0].when)).toBe(true);
  });

  it('takes a company-specific row without code', () => {
    const text = readFileSync(join(ROOT, SHIPPED), 'utf8') + fixture('company-row.yaml');
    const extended = loadParticipationRules({ text, file: SHIPPED });
    expect(extended.rules.at(-1)).toMatchObject({ id: 'X1', assess: 'exclude', stages: STAGES, when: { kind: 'is', field: 'acquired', value: true } });
  });
});

describe('loadParticipationRules: problems point at the YAML', () => {
  it('reports every schema problem with line:column, path and a hint', () => {
    expect(brief(problemsOf(fixture('schema-problems.yaml')))).toEqual([
      `6:11 fallback.assess missing 'title'`,
      `13:15 rules.0.then.survey 'survey' must be one of 'include', 'exclude'. Did you mean 'exclude'?`,
      expect.stringMatching(/^17:7 rules\.1\.when\.prodctType unknown key 'prodctType'\. Did you mean 'productType'\? Allowed keys: productType, brand, /),
      `24:14 rules.2.when.brand 'brand' must be true or false`,
      `27:9 rules.3.id 'id' must be a rule id: a letter, then letters, digits, _ . or - (e.g. P3, A1b, X-2026-01)`,
      `30:20 rules.3.when.roles.sales 'roles.sales' must be a value, or exactly one of { in: [...] } or { notIn: [...] }`,
      `31:45 rules.3.when.acquisition.closingDate.onOrAfter 'onOrAfter' must be a date YYYY-MM-DD or { field: <date fact>, months?: <whole number>, days?: <whole number> }`,
      `34:15 rules.3.then.stages 'stages' must be a list of stages (准1, 准2, 磨1, 磨2, 稳定期, 老业主) or groups (准业主, 磨合期)`,
    ]);
  });

  it('reports every semantic problem with line:column, sorted', () => {
    expect(brief(problemsOf(fixture('semantic-problems.yaml')))).toEqual([
      `3:35 productTypes.3 product type '住宅' is listed twice: keep one`,
      `11:45 rules.0.when.productType.notIn.2 product type '商舖' is not in productTypes. Did you mean '商铺'? Allowed: '住宅', '公寓(含居住功能)', '商铺'`,
      `20:21 rules.1.then.stages.1 '老业主们' is not a stage. Did you mean '老业主'? Stages: '准1', '准2', '磨1', '磨2', '稳定期', '老业主'; groups: '准业主', '磨合期'`,
      `21:9 rules.2.id rule id 'P1' is already used at rules.0: every rule needs its own id (refusals name rules by id)`,
      `24:23 rules.2.when.roles.property 'responsibel' is not a role level. Did you mean 'responsible'? Allowed: 'none', 'participates', 'responsible'`,
      `25:11 rules.2.then rule P1 has no effect: give 'survey: include|exclude', 'assess: include|exclude', or both`,
      `29:25 rules.3.when.anyStageAssessed 'anyStageAssessed' may only name stages before the ones this rule decides (stages are assessed in the order 准1, 准2, 磨1, 磨2, 稳定期, 老业主); '磨2' is not before '磨1'`,
      expect.stringMatching(
        /^30:54 rules\.3\.when\.acquisition\.closingDate\.onOrAfter\.field 'acquisition\.deliveryDate' is not a date fact\..* Date facts: 'acquisition\.closingDate', 'acquisition\.contractualDeliveryDate'$/,
      ),
      `37:7 rules.4.when.stageSurveyed 'stageSurveyed' looks at survey/assessment decisions, so it may only be used in a rule with 'assess:' and no 'survey:' (survey is decided first, assessment after)`,
      `38:54 rules.4.when.acquisition.contractualDeliveryDate.before '2026-02-30' is not a calendar date`,
    ]);
  });

  it('puts file:line:column in the error message a process owner reads', () => {
    expect(() => loadParticipationRules({ text: fixture('semantic-problems.yaml'), file: 'definitions/rules/participation.yaml' })).toThrow(
      /has 10 error\(s\):\ndefinitions\/rules\/participation\.yaml:3:35 \(productTypes\.3\): product type '住宅' is listed twice/,
    );
  });

  it('reports YAML syntax errors and duplicate keys at their position', () => {
    const text = `version: 1
title: t
productTypes: [住宅]
fallback:
  survey: { id: P0, title: 不调研 }
  assess: { id: A3, title: 不考核 }
rules:
  - id: P1
    title: 重复键
    id: P2
    then: { survey: include }
`;
    expect(brief(problemsOf(text))).toEqual(['10:5  duplicate key: each key may appear only once in the same map']);
    expect(brief(problemsOf('version: 1\ntitle: [unclosed\n'))[0]).toMatch(/^3:1 {2}YAML syntax error: /);
  });

  it('needs the top-level keys and a map', () => {
    expect(brief(problemsOf('- a\n- b\n'))).toEqual(['1:1  the file must be a map with version, title, productTypes, fallback and rules']);
    expect(brief(problemsOf('version: 2\n'))).toEqual([
      `1:1  missing 'title'`,
      `1:1  missing 'productTypes'`,
      `1:1  missing 'fallback'`,
      `1:1  missing 'rules'`,
      `1:10 version 'version' must be 1 (the only format version so far)`,
    ]);
  });
});
