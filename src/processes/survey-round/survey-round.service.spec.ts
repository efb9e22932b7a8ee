/**
 * SurveyRoundService against a real engine on a real SQLite file, no HTTP: the round's
 * data-bearing events go only through the service (`via: service`) for the people their roles
 * name, refusals name the states by their titles, the owners' page needs no reading role, and
 * a state renamed in the YAML changes nothing for the service.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../common/clock';
import { ErrorCode } from '../../common/app-error';
import type { Actor } from '../../compiler/process-machine.contract';
import { rejectedAppError as rejection } from '../../../test/support/app-error';
import { REPO_ROOT } from '../../../test/support/databases';
import { startEngine, type EngineHarness } from '../../../test/support/engine-harness';
import { rosterCsv, rosterRows } from '../../../test/fixtures/survey/roster-fixture';
import { SurveyRoundService } from './survey-round.service';

const cs: Actor = { id: 'cs', roles: ['cs_supervisor'] };
const ca: Actor = { id: 'ca', roles: ['cs_assistant'] };
const mg: Actor = { id: 'mg', roles: ['manager'] };
const au: Actor = { id: 'au', roles: ['auditor'] };
const roster = (count: number) => ({ fileName: 'roster.csv', content: Buffer.from(rosterCsv(rosterRows(count)), 'utf8') });

describe('SurveyRoundService on a real SQLite engine', () => {
  let h: EngineHarness;
  let service: SurveyRoundService;
  const clock = new ManualClock(new Date('2026-03-02T01:00:00.000Z'));

  beforeAll(async () => {
    h = await startEngine({ clock });
    service = SurveyRoundService.forEngine(h.engine);
  });
  afterAll(() => h.close());

  const send = (id: string, type: string, actor: Actor, payload: Record<string, unknown> = {}) => h.engine.transitions.send(id, { type, payload }, actor);
  const lastEntry = async (id: string) => (await h.engine.instances.audit(id, au)).at(-1);

  async function approvedRound(batch: string, plan: Record<string, unknown> = {}) {
    const round = await service.start({ project: '翠湖花园一期', serviceCenter: '翠湖花园客户服务中心', batch, stage: '稳定期' }, cs);
    await send(round.id, 'submitPlan', cs, { method: '上门发放', questionnaireVersion: 1, ...plan });
    await send(round.id, 'approvePlan', mg);
    return round;
  }

  it('imports the roster for the roles the event names, refusing by role first, then by state title', async () => {
    const round = await service.start({ project: '翠湖花园一期', serviceCenter: '翠湖花园客户服务中心', batch: '2026-01', stage: '稳定期' }, cs);
    const forbidden = await rejection(service.importRoster(round.id, roster(10), mg));
    expect(forbidden.code).toBe(ErrorCode.Forbidden);
    expect(forbidden.message).toBe(
      "importing the roster needs one of the roles cs_supervisor, cs_assistant (event 'importRoster' of survey-round); you have manager",
    );
    const early = await rejection(service.importRoster(round.id, roster(10), ca));
    expect(early.code).toBe(ErrorCode.EventNotAccepted);
    expect(early.message).toBe(
      `importing the roster is possible only while round ${round.businessKey} is in '导入业主名单'; it is in '编制调研计划': the plan must be approved first`,
    );

    await send(round.id, 'submitPlan', cs, { method: '上门发放', questionnaireVersion: 1 });
    await send(round.id, 'approvePlan', mg);
    const imported = await service.importRoster(round.id, roster(10), ca);
    expect(imported.context.roster).toMatchObject({ households: 10, importedBy: 'ca' });
    await expect(service.store.households(round.id)).resolves.toHaveLength(10);
    // Recorded as the user with the user's own roles: the service adds none.
    await expect(lastEntry(round.id)).resolves.toMatchObject({ eventType: 'importRoster', actor: 'ca', actorRoles: ['cs_assistant'] });
  });

  it('refuses the same event sent as a plain event, naming the API, and does not offer it', async () => {
    const round = await approvedRound('2026-02');
    const plain = await rejection(
      send(round.id, 'importRoster', ca, { fileName: 'r.csv', sha256: '0'.repeat(64), households: 1, occupied: 1, specialRemarks: 0 }),
    );
    expect(plain.code).toBe(ErrorCode.Forbidden);
    expect(plain.message).toContain("'importRoster' (导入业主名单) can only be sent through the application service of 'survey-round'");
    expect(plain.message).toContain('use PUT /survey/rounds/:id/roster');
    expect((await h.engine.instances.get(round.id, cs)).context.roster).toBeUndefined();
    expect((await h.engine.instances.availableEvents(round.id, cs)).map((e) => e.type)).toEqual(['freezeRoster']);
    expect(await h.engine.instances.availableEvents(round.id, ca)).toEqual([]);
  });

  it('samples, issues tokens and takes forms online (as the owner, by token) and on paper (staff only)', async () => {
    const round = await approvedRound('2026-03', { sampleSize: 5 });
    await service.importRoster(round.id, roster(20), ca);
    const early = await rejection(service.issueTokens(round.id, cs));
    expect(early.message).toMatch(/in '已抽样，待发放'; it is in '导入业主名单': draw the sample first$/);
    await send(round.id, 'freezeRoster', cs);
    expect((await rejection(service.drawSample(round.id, ca))).code).toBe(ErrorCode.Forbidden);
    const sampled = await service.drawSample(round.id, cs);
    expect(sampled.context.sample).toMatchObject({ size: 5, previousRound: null });
    await expect(service.verifySample(round.id, au)).resolves.toMatchObject({ reproduced: true, size: 5 });
    const { tokens } = await service.issueTokens(round.id, cs);
    expect(tokens).toHaveLength(5);

    // The owners' page: the token is the only key; no user, no reading role.
    const form = await service.tokenForm(tokens[0].token);
    expect(form).toMatchObject({ householdId: tokens[0].householdId, round: { id: round.id, state: 'collecting' } });
    await service.answerOnline(tokens[0].token, { ratings: { order: 'satisfied' } });
    await expect(lastEntry(round.id)).resolves.toMatchObject({
      eventType: 'recordResponse',
      actor: `owner:${tokens[0].householdId}`,
      actorRoles: ['owner'],
      payload: { channel: 'online' },
    });

    await service.enterPaperForm(round.id, tokens[1].householdId, { ratings: { order: 'neutral' } }, ca);
    await expect(lastEntry(round.id)).resolves.toMatchObject({
      eventType: 'recordResponse',
      actor: 'ca',
      actorRoles: ['cs_assistant'],
      payload: { channel: 'paper' },
    });
    expect((await rejection(service.enterPaperForm(round.id, tokens[2].householdId, { ratings: {} }, mg))).code).toBe(ErrorCode.Forbidden);
    // An account holding the owners' role cannot type paper forms: the definition keeps them to staff.
    const asOwner = await rejection(service.enterPaperForm(round.id, tokens[2].householdId, { ratings: {} }, { id: 'x', roles: ['owner'] }));
    expect(asOwner).toMatchObject({
      code: ErrorCode.GuardRejected,
      message: "'recordResponse' was refused: 网上问卷由业主凭答卷码提交，纸质问卷由客服人员录入",
    });

    // 2 of 5 returned: below the threshold; the page closes and the statistics say who may extend.
    expect((await send(round.id, 'closeCollection', cs)).state).toBe('belowThreshold');
    const closedPage = await rejection(service.tokenForm(tokens[3].token));
    expect(closedPage.message).toBe('the collection of this round is closed; the token has expired');
    expect(closedPage.userMessage).toBe('本次调查已结束，问卷不再接收，感谢您的关注。');
    const paperLate = await rejection(service.enterPaperForm(round.id, tokens[3].householdId, { ratings: {} }, ca));
    expect(paperLate.message).toBe(
      `entering a paper form is possible only while round ${round.businessKey} is in '回收问卷'; it is in '回收率未达标，待决定': the collection is closed`,
    );
    expect(paperLate.userMessage).toBe(
      '「回收一份问卷（网上或纸质）」只能在「回收问卷」时办理，该客户满意度调研现在处于「回收率未达标，待决定」（问卷回收已截止）；现在可以办理的是「延长回收期限」、「作为无效调查结束（不发布正式数据）」。请刷新页面查看最新状态后再操作。',
    );
    expect((await rejection(service.statistics(round.id, mg))).message).toMatch(
      /did not exceed 85\.0%, so it has no official figures; 服务中心经理 may extend the collection$/,
    );
  });

  // Registers a newer version of survey-round.yaml: keep this test last.
  it('follows a state renamed in the YAML: what is possible comes from the definition', async () => {
    const renamed = readFileSync(join(REPO_ROOT, 'definitions/survey-round.yaml'), 'utf8')
      .replace(/^ {2}roster:$/m, '  ownerRoster:')
      .replace(/target: roster$/gm, 'target: ownerRoster')
      .replace(/heldFrom: roster$/m, 'heldFrom: ownerRoster')
      .replace(/"roster"/g, '"ownerRoster"');
    expect((await h.engine.definitions.register(renamed, 'survey-round.yaml', 'owner')).created).toBe(true);
    const round = await approvedRound('2026-04');
    const current = await h.engine.instances.get(round.id, cs);
    expect(current).toMatchObject({ state: 'ownerRoster', definitionVersion: 2 });
    await expect(service.importRoster(round.id, roster(10), ca)).resolves.toMatchObject({ state: 'ownerRoster', context: { roster: { households: 10 } } });
  });
});
