import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ErrorCode } from '../../common/app-error';
import { assertRoundAllowed, checkRoundAllowed, decideParticipation, loadParticipationRules, projectFactsProblems } from './participation';
import { STAGES, type ProjectFacts, type ProjectRoles, type Stage, type StageReason } from './participation.types';

const ROOT = join(__dirname, '../../..');
const SHIPPED_TEXT = readFileSync(join(ROOT, 'definitions/rules/participation.yaml'), 'utf8');
const rules = loadParticipationRules({ text: SHIPPED_TEXT, file: 'definitions/rules/participation.yaml' });

const NO_ROLES: ProjectRoles = { lead: false, sales: 'none', delivery: 'none', afterDelivery: 'none', property: 'none' };
const ALL_ROLES: ProjectRoles = { lead: true, sales: 'responsible', delivery: 'responsible', afterDelivery: 'responsible', property: 'responsible' };

/** A branded residential project where the company does everything, unless overridden. */
function project(over: Partial<Omit<ProjectFacts, 'roles'>> & { roles?: Partial<ProjectRoles> } = {}): ProjectFacts {
  const { roles, ...rest } = over;
  return { name: '翠湖花园 二期', productType: '住宅', brand: true, completedHomeSale: false, ...rest, roles: { ...ALL_ROLES, ...roles } };
}
const nonBrand = (roles: Partial<ProjectRoles>): ProjectFacts => project({ brand: false, roles: { ...NO_ROLES, ...roles } });

const decide = (p: ProjectFacts) => decideParticipation({ rules, project: p });
const reason = (p: ProjectFacts, stage: Stage): StageReason => decide(p).reasons.find((r) => r.stage === stage)!;
const ALL = [...STAGES];
const 准业主: Stage[] = ['准1', '准2'];
const 磨合期: Stage[] = ['磨1', '磨2'];

describe('decideParticipation: one test per rule of DOMAIN.md §5 (002 2.1–2.2)', () => {
  it('baseline: a branded residential project where the company does everything is surveyed and assessed in every stage', () => {
    const d = decide(project());
    expect(d).toMatchObject({ surveyed: ALL, assessed: ALL });
    expect(d.reasons.map((r) => [r.stage, r.ruleIds])).toEqual([
      ['准1', ['P4', 'A1a']],
      ['准2', ['P4', 'A1a']],
      ['磨1', ['P4', 'A1b']],
      ['磨2', ['P4', 'A1b']],
      ['稳定期', ['P4', 'A1c']],
      ['老业主', ['P4', 'A1d']],
    ]);
    expect(d.reasons[0].titles).toEqual(['若项目/分期使用我司品牌则均参与满意度调研', '若我司指派项目主管负责人且负责项目/分期销售工作,则考核准业主部分']);
  });

  describe('P1 (2.1(1)): only residential and apartments with a living function are surveyed', () => {
    it.each(['商铺', '写字楼', '两限房', '廉租房', '其他配建类', '公寓(无居住功能)'])(
      '%s: no stage surveyed or assessed, every stage names P1',
      (productType) => {
        const d = decide(project({ productType }));
        expect(d).toMatchObject({ surveyed: [], assessed: [] });
        for (const r of d.reasons) {
          expect(r.surveyRuleIds).toEqual(['P1']);
          expect(r.assessRuleIds).toEqual(['A0']);
          expect(r.titles[0]).toContain('不含商铺、写字楼、两限房及廉租房等配建类项目');
        }
      },
    );
    it.each(['住宅', '公寓(含居住功能)'])('%s is surveyed', (productType) => {
      expect(decide(project({ productType })).surveyed).toEqual(expect.arrayContaining(准业主));
    });
    it('P1 wins over P4: a branded shop is still not surveyed', () => {
      expect(reason(project({ productType: '商铺' }), '准1')).toMatchObject({ surveyed: false, surveyRuleIds: ['P1'] });
    });
  });

  it('P2 (2.1(2)): apartments with a living function are surveyed (and assessed) only in the 准 and 磨 stages', () => {
    const d = decide(project({ productType: '公寓(含居住功能)' }));
    expect(d).toMatchObject({ surveyed: [...准业主, ...磨合期], assessed: [...准业主, ...磨合期] });
    expect(reason(project({ productType: '公寓(含居住功能)' }), '稳定期')).toMatchObject({ surveyed: false, assessed: false, ruleIds: ['P2', 'A0'] });
    expect(reason(project({ productType: '公寓(含居住功能)' }), '老业主').titles).toEqual([
      '含有居住功能的公寓类产品只调研“准、磨”阶段业主',
      '不参与调研的阶段不参与考核',
    ]);
  });

  it('P3 (2.1(3)): a project sold as completed homes (现房) skips 准2 and 磨1', () => {
    const d = decide(project({ completedHomeSale: true }));
    expect(d).toMatchObject({ surveyed: ['准1', '磨2', '稳定期', '老业主'], assessed: ['准1', '磨2', '稳定期', '老业主'] });
    expect(reason(project({ completedHomeSale: true }), '准2')).toMatchObject({ surveyed: false, surveyRuleIds: ['P3'], assessRuleIds: ['A0'] });
    expect(reason(project({ completedHomeSale: true }), '磨1').surveyRuleIds).toEqual(['P3']);
  });

  it('P4 (2.1(4)): a branded project is surveyed in all stages whatever the roles', () => {
    const d = decide(project({ roles: NO_ROLES }));
    expect(d.surveyed).toEqual(ALL);
    expect(d.reasons.every((r) => r.surveyRuleIds.join() === 'P4')).toBe(true);
  });

  describe('P5 (2.1(5)): a project not using the brand is surveyed by the company roles (负责或参与)', () => {
    it('P5a: 准业主 when the company leads the project', () => {
      expect(decide(nonBrand({ lead: true })).surveyed).toEqual(准业主);
      expect(reason(nonBrand({ lead: true }), '准1').surveyRuleIds).toEqual(['P5a']);
    });
    it('P5a: 准业主 when the company takes part in sales (参与 or 负责)', () => {
      expect(decide(nonBrand({ sales: 'participates' })).surveyed).toEqual(准业主);
      expect(decide(nonBrand({ sales: 'responsible' })).surveyed).toEqual(准业主);
    });
    it('P5b: 磨合期 when the company handles both delivery and after-delivery service', () => {
      expect(decide(nonBrand({ delivery: 'participates', afterDelivery: 'responsible' })).surveyed).toEqual(磨合期);
      expect(reason(nonBrand({ delivery: 'participates', afterDelivery: 'responsible' }), '磨2').surveyRuleIds).toEqual(['P5b']);
      expect(decide(nonBrand({ delivery: 'responsible' })).surveyed).toEqual([]);
      expect(decide(nonBrand({ afterDelivery: 'responsible' })).surveyed).toEqual([]);
    });
    it('P5c: 稳定期 when the company handles both after-delivery and property service (P5d adds 老业主)', () => {
      const p = nonBrand({ afterDelivery: 'participates', property: 'participates' });
      expect(decide(p).surveyed).toEqual(['稳定期', '老业主']);
      expect(reason(p, '稳定期').surveyRuleIds).toEqual(['P5c']);
      expect(reason(p, '老业主').surveyRuleIds).toEqual(['P5d']);
    });
    it('P5d: 老业主 when the company provides property service', () => {
      expect(decide(nonBrand({ property: 'participates' })).surveyed).toEqual(['老业主']);
      expect(reason(nonBrand({ property: 'responsible' }), '老业主').surveyRuleIds).toEqual(['P5d']);
    });
    it('P0: with no role at all nothing is surveyed, each stage names the survey fallback', () => {
      const d = decide(nonBrand({}));
      expect(d).toMatchObject({ surveyed: [], assessed: [] });
      expect(d.reasons.map((r) => r.surveyRuleIds)).toEqual(STAGES.map(() => ['P0']));
    });
  });

  describe('A1 (2.2(1)): assessment requires the brand, then the roles (负责 only)', () => {
    it('A1: a project not using the brand is never assessed, even where surveyed', () => {
      const d = decide(project({ brand: false }));
      expect(d).toMatchObject({ surveyed: ALL, assessed: [] });
      expect(reason(project({ brand: false }), '老业主')).toMatchObject({ ruleIds: ['P5d', 'A1'], assessRuleIds: ['A1'] });
    });
    it('A1a: 准业主 when the company leads the project and is responsible for sales', () => {
      expect(decide(project({ roles: { ...NO_ROLES, lead: true, sales: 'responsible' } })).assessed).toEqual(准业主);
      expect(reason(project({ roles: { ...NO_ROLES, lead: true, sales: 'responsible' } }), '准2').assessRuleIds).toEqual(['A1a']);
      // 参与 is not 负责; leading without sales is not enough; sales without leading neither.
      expect(decide(project({ roles: { ...NO_ROLES, lead: true, sales: 'participates' } })).assessed).toEqual([]);
      expect(decide(project({ roles: { ...NO_ROLES, lead: true } })).assessed).toEqual([]);
      expect(decide(project({ roles: { ...NO_ROLES, sales: 'responsible' } })).assessed).toEqual([]);
    });
    it('A1b: 磨合期 when responsible for delivery and after-delivery service and 准业主 is assessed', () => {
      const roles = { ...NO_ROLES, lead: true, sales: 'responsible' as const, delivery: 'responsible' as const, afterDelivery: 'responsible' as const };
      expect(decide(project({ roles })).assessed).toEqual([...准业主, ...磨合期]);
      expect(reason(project({ roles }), '磨1').assessRuleIds).toEqual(['A1b']);
      // without 准业主 assessed (the company does not lead), 磨合期 is not assessed
      expect(reason(project({ roles: { ...roles, lead: false } }), '磨1')).toMatchObject({ surveyed: true, assessed: false, assessRuleIds: ['A3'] });
      expect(decide(project({ roles: { ...roles, delivery: 'participates' } })).assessed).toEqual(准业主);
    });
    it('A1c: 稳定期 when responsible for after-delivery and property service and 准业主 is assessed', () => {
      const roles = { ...NO_ROLES, lead: true, sales: 'responsible' as const, afterDelivery: 'responsible' as const, property: 'responsible' as const };
      expect(decide(project({ roles })).assessed).toEqual([...准业主, '稳定期', '老业主']);
      expect(reason(project({ roles }), '稳定期').assessRuleIds).toEqual(['A1c']);
      expect(reason(project({ roles: { ...roles, sales: 'participates' } }), '稳定期')).toMatchObject({ assessed: false, assessRuleIds: ['A3'] });
    });
    it('A1d: 老业主 when responsible for property service (no 准业主 condition)', () => {
      const p = project({ roles: { ...NO_ROLES, property: 'responsible' } });
      expect(decide(p)).toMatchObject({ surveyed: ALL, assessed: ['老业主'] });
      expect(reason(p, '老业主').assessRuleIds).toEqual(['A1d']);
      expect(decide(project({ roles: { ...NO_ROLES, property: 'participates' } })).assessed).toEqual([]);
    });
  });

  describe('A2 (2.2(2)): acquired projects closed within 9 months (inclusive) before the contractual delivery date, or after it, are not assessed', () => {
    const acquired = (closingDate: string, contractualDeliveryDate = '2026-12-31'): ProjectFacts =>
      project({ acquisition: { closingDate, contractualDeliveryDate } });
    it.each([
      ['exactly 9 months before', '2026-03-31', '2026-12-31', false],
      ['9 months and 1 day before', '2026-03-30', '2026-12-31', true],
      ['one year before', '2025-12-31', '2026-12-31', true],
      ['5 months before', '2026-07-31', '2026-12-31', false],
      ['on the delivery date', '2026-12-31', '2026-12-31', false],
      ['after the delivery date', '2027-01-15', '2026-12-31', false],
      ['month end: 05-31 + 9 months is 02-28, delivery 02-28', '2026-05-31', '2027-02-28', false],
      ['month end: 05-27 + 9 months is 02-27 < 02-28', '2026-05-27', '2027-02-28', true],
      ['short month: 02-28 + 9 months is 11-28, delivery 11-28', '2026-02-28', '2026-11-28', false],
      ['short month: 02-28 + 9 months is 11-28 < 11-29', '2026-02-28', '2026-11-29', true],
    ])('closing %s (%s, delivery %s): assessed %s', (_what, closing, delivery, assessed) => {
      const d = decide(acquired(closing, delivery));
      expect(d.surveyed).toEqual(ALL); // the acquisition rule is about assessment only
      expect(d.assessed).toEqual(assessed ? ALL : []);
      if (!assessed) expect(d.reasons.every((r) => r.assessRuleIds.join() === 'A2')).toBe(true);
    });
    it('a project that is not acquired is not touched by A2', () => {
      expect(decide(project({ acquisition: null })).assessed).toEqual(ALL);
    });
  });

  it('A3 (2.2(3)): any other case is not assessed', () => {
    const d = decide(project({ roles: NO_ROLES }));
    expect(d.assessed).toEqual([]);
    expect(d.reasons.map((r) => r.assessRuleIds)).toEqual(STAGES.map(() => ['A3']));
    expect(d.reasons[0].titles).toEqual(['若项目/分期使用我司品牌则均参与满意度调研', '其他情况不参与考核']);
  });
});

describe('decideParticipation: combinations', () => {
  it('apartment sold as completed homes: surveyed and assessed only in 准1 and 磨2', () => {
    const p = project({ productType: '公寓(含居住功能)', completedHomeSale: true });
    expect(decide(p)).toMatchObject({ surveyed: ['准1', '磨2'], assessed: ['准1', '磨2'] });
    expect(decide(p).reasons.map((r) => [r.stage, r.surveyRuleIds])).toEqual([
      ['准1', ['P4']],
      ['准2', ['P3']],
      ['磨1', ['P3']],
      ['磨2', ['P4']],
      ['稳定期', ['P2']],
      ['老业主', ['P2']],
    ]);
  });

  it('completed homes: 磨合期 is still assessed through 准1 (准业主 assessed means any 准 stage)', () => {
    expect(reason(project({ completedHomeSale: true }), '磨2')).toMatchObject({ assessed: true, assessRuleIds: ['A1b'] });
  });

  it('non-brand apartment whose company does everything: surveyed in 准/磨 only, assessed nowhere', () => {
    expect(decide(project({ productType: '公寓(含居住功能)', brand: false }))).toMatchObject({ surveyed: [...准业主, ...磨合期], assessed: [] });
  });

  it('a shop of a non-brand project with every role: P1 wins over P5a–d', () => {
    expect(reason(project({ productType: '商铺', brand: false }), '老业主')).toMatchObject({
      surveyed: false,
      surveyRuleIds: ['P1'],
      assessRuleIds: ['A0', 'A1'],
    });
  });

  describe('brand vs non-brand, role by role', () => {
    type R = Partial<ProjectRoles>;
    it.each<[string, R, Stage[], Stage[], Stage[]]>([
      // roles, non-brand surveyed, brand surveyed, brand assessed (non-brand is never assessed)
      ['lead only', { lead: true }, 准业主, ALL, []],
      ['sales participates', { sales: 'participates' }, 准业主, ALL, []],
      ['lead + sales responsible', { lead: true, sales: 'responsible' }, 准业主, ALL, 准业主],
      ['delivery + after-delivery responsible, no lead', { delivery: 'responsible', afterDelivery: 'responsible' }, 磨合期, ALL, []],
      ['after-delivery + property responsible, no lead', { afterDelivery: 'responsible', property: 'responsible' }, ['稳定期', '老业主'], ALL, ['老业主']],
      ['property participates', { property: 'participates' }, ['老业主'], ALL, []],
      ['property responsible', { property: 'responsible' }, ['老业主'], ALL, ['老业主']],
      ['every role responsible', ALL_ROLES, ALL, ALL, ALL],
      ['no role', {}, [], ALL, []],
    ])('%s', (_what, roles, nonBrandSurveyed, brandSurveyed, brandAssessed) => {
      expect(decide(nonBrand(roles))).toMatchObject({ surveyed: nonBrandSurveyed, assessed: [] });
      expect(decide(project({ roles: { ...NO_ROLES, ...roles } }))).toMatchObject({ surveyed: brandSurveyed, assessed: brandAssessed });
    });
  });

  it('a company-specific row added to the YAML takes effect without code (X1: no acquired project is assessed)', () => {
    const extended = loadParticipationRules({ text: SHIPPED_TEXT + readFileSync(join(ROOT, 'test/fixtures/participation/company-row.yaml'), 'utf8') });
    const longAgo = project({ acquisition: { closingDate: '2020-01-01', contractualDeliveryDate: '2026-12-31' } });
    expect(decide(longAgo).assessed).toEqual(ALL);
    const d = decideParticipation({ rules: extended, project: longAgo });
    expect(d.assessed).toEqual([]);
    expect(d.reasons[0]).toMatchObject({
      assessRuleIds: ['X1'],
      titles: ['若项目/分期使用我司品牌则均参与满意度调研', '本公司:收并购项目一律不参与满意度考核'],
    });
  });

  it('returns a frozen decision', () => {
    const d = decide(project());
    expect(Object.isFrozen(d)).toBe(true);
    expect(Object.isFrozen(d.reasons[0].ruleIds)).toBe(true);
  });
});

describe('project facts', () => {
  it('lists every unusable fact with a hint', () => {
    expect(
      projectFactsProblems({
        rules,
        project: {
          productType: '住宅楼',
          brand: 'yes',
          completedHomeSale: false,
          roles: { lead: true, sales: 'responsibel', delivery: 'none', afterDelivery: 'none', property: 'none', propery: 'none' },
          acquisition: { closingDate: '2026-02-30' },
        },
      }),
    ).toEqual([
      { path: '$.productType', message: expect.stringContaining(`unknown product type '住宅楼'. Did you mean '住宅'?`) },
      { path: '$.brand', message: 'brand must be true or false' },
      { path: '$.roles.sales', message: `roles.sales must be one of 'none', 'participates', 'responsible'. Did you mean 'responsible'?` },
      { path: '$.roles.propery', message: `unknown role 'propery'. Did you mean 'property'? Roles: lead, sales, delivery, afterDelivery, property` },
      { path: '$.acquisition.closingDate', message: expect.stringContaining('must be a calendar date') },
      { path: '$.acquisition.contractualDeliveryDate', message: expect.stringContaining('an acquired project needs both dates') },
    ]);
  });

  it('decideParticipation refuses unusable facts with ParticipationFactsInvalid', () => {
    expect(() => decide({ ...project(), productType: '别墅' })).toThrow(expect.objectContaining({ code: ErrorCode.ParticipationFactsInvalid }));
  });
});

describe('checkRoundAllowed', () => {
  const apartment = project({ productType: '公寓(含居住功能)' });

  it('allows a surveyed stage and says whether the round is assessed', () => {
    expect(checkRoundAllowed({ rules, project: apartment, stage: '磨2' })).toEqual({
      allowed: true,
      stage: '磨2',
      assessed: true,
      ruleIds: ['P4', 'A1b'],
      titles: expect.any(Array),
    });
    expect(checkRoundAllowed({ rules, project: project({ brand: false }), stage: '准1' })).toMatchObject({
      allowed: true,
      assessed: false,
      ruleIds: ['P5a', 'A1'],
    });
  });

  it('refuses a stage the table excludes, naming the rule and its title', () => {
    const result = checkRoundAllowed({ rules, project: apartment, stage: '稳定期' });
    expect(result).toEqual({
      allowed: false,
      stage: '稳定期',
      ruleIds: ['P2'],
      titles: ['含有居住功能的公寓类产品只调研“准、磨”阶段业主'],
      message: expect.stringContaining('stage 稳定期 of 翠湖花园 二期 is not surveyed (rule P2: 含有居住功能的公寓类产品只调研“准、磨”阶段业主)'),
      userMessage:
        '按参与调研规则，翠湖花园 二期的稳定期阶段不参加满意度调研（规则 P2：含有居住功能的公寓类产品只调研“准、磨”阶段业主）。如属特殊情况，须由集团客户关系部作出特殊情况判定后，再提交调研计划。',
    });
  });

  it('names every excluding rule (P1 and P3 both exclude a completed-home shop in 准2)', () => {
    expect(checkRoundAllowed({ rules, project: project({ productType: '商铺', completedHomeSale: true }), stage: '准2' })).toMatchObject({
      allowed: false,
      ruleIds: ['P1', 'P3'],
    });
  });

  it('names the fallback when no row includes the stage', () => {
    expect(checkRoundAllowed({ rules, project: nonBrand({ lead: true }), stage: '老业主' })).toMatchObject({
      allowed: false,
      ruleIds: ['P0'],
      message: expect.stringContaining('rule P0: 不满足2.1任何一条参与条件的阶段不参与调研'),
    });
  });

  it('a group CR override turns a refusal into an allowed round and records what it set aside', () => {
    const result = checkRoundAllowed({
      rules,
      project: apartment,
      stage: '稳定期',
      override: { by: 'group-cr-head', reason: '业主强烈要求,集团客户关系部2026-03-02审核同意' },
    });
    expect(result).toEqual({
      allowed: true,
      stage: '稳定期',
      assessed: false,
      ruleIds: ['P2', 'A0'],
      titles: expect.any(Array),
      override: {
        by: 'group-cr-head',
        reason: '业主强烈要求,集团客户关系部2026-03-02审核同意',
        tableSurveyed: false,
        tableAssessed: false,
        overriddenRuleIds: ['P2'],
        overriddenTitles: ['含有居住功能的公寓类产品只调研“准、磨”阶段业主'],
      },
    });
  });

  it('an override may also decide the assessment', () => {
    const result = checkRoundAllowed({
      rules,
      project: project({ brand: false }),
      stage: '准1',
      override: { by: 'group-cr', reason: '特殊情况', assess: true },
    });
    expect(result).toMatchObject({
      allowed: true,
      assessed: true,
      override: { assess: true, tableSurveyed: true, tableAssessed: false, overriddenRuleIds: ['A1'] },
    });
  });

  it('an override the table does not need is not recorded', () => {
    expect(checkRoundAllowed({ rules, project: project(), stage: '准1', override: { by: 'group-cr', reason: '无需' } })).not.toHaveProperty('override');
  });

  it('an override needs who and why', () => {
    expect(() => checkRoundAllowed({ rules, project: apartment, stage: '稳定期', override: { by: 'group-cr', reason: ' ' } })).toThrow(
      expect.objectContaining({ code: ErrorCode.BadRequest, message: expect.stringContaining('who decided it (by) and why (reason)') }),
    );
  });

  it('refuses a stage name that is not a stage, with a hint for groups and typos', () => {
    expect(() => checkRoundAllowed({ rules, project: apartment, stage: '准业主' })).toThrow(/'准业主' is a group: name one of its stages, '准1', '准2'/);
    expect(() => checkRoundAllowed({ rules, project: apartment, stage: '稳定' })).toThrow(/Did you mean '稳定期'\?/);
  });

  it('assertRoundAllowed throws StageNotParticipating with the rule ids', () => {
    let caught: unknown;
    try {
      assertRoundAllowed({ rules, project: apartment, stage: '老业主' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ code: ErrorCode.StageNotParticipating, details: { stage: '老业主', ruleIds: ['P2'] } });
    expect(assertRoundAllowed({ rules, project: apartment, stage: '准1' }).allowed).toBe(true);
  });
});
