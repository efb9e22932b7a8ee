/**
 * What the people running a survey round do besides sending plain events: import the roster
 * file, draw the sample, issue tokens, take in forms (online with a token, or typed from paper),
 * and read the roster and figures. Each write is one audited transition of the round
 * (definitions/survey-round.yaml) with its rows written in the same transaction
 * (`options.within`), so the data and the audit entry commit together or not at all. Those
 * events are declared `via: service`: the engine accepts them only from here
 * (`options.viaService`), for the people their `roles` name.
 *
 * It talks to the engine only through its public API (instances, definitions, records reads)
 * and to its own tables through its repository. What is possible now comes from the definition
 * (the round's state accepts the event), never from state names written here.
 *
 * The HTTP controller and the CLI (`wf roster import`) both call this service.
 */
import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '../../common/app-error';
import type { Actor, ProcessMachine } from '../../compiler/process-machine.contract';
import { dateCn } from '../../documents/template-helpers';
import type { Engine } from '../../engine/engine';
import type { TransitionOptions } from '../../engine/transition.service';
import type { InstanceView } from '../../engine/instance.types';
import type { InstanceSummary } from '../../engine/records.service';
import { maskName, maskPhone } from '../../domain/survey/contact-mask.util';
import { type Questionnaire, validateAnswers } from '../../domain/survey/questionnaire';
import { assertRosterValid, parseRoster } from '../../domain/survey/roster';
import { previousSampledRound, ROUND_EVENTS } from '../../domain/survey/round-trail';
import { drawSample, newSeed, type SampleDraw } from '../../domain/survey/sampling';
import { exportStatisticsXlsx } from '../../domain/survey/statistics-xlsx';
import type { SurveyStatistics } from '../../domain/survey/statistics';
import { startRefusalText } from '../../compiler/refusal-text';
import { acceptedNow, requireAcceptedNow, requireMayTrigger, roleTitles, stateTitle } from '../process-events.util';
import { SurveyRoundRepository, type StoredHousehold } from './survey-round.repository';

export const ROUND_DEFINITION = 'survey-round';
/**
 * The role survey-round.yaml gives an owner answering online: the token is the owner's only
 * key (no user account), so the actor is the household, `owner:<household>`, with this role.
 */
export const TOKEN_HOLDER_ROLE = 'owner';
/** Events of survey-round.yaml this service sends (besides those of ROUND_EVENTS) or reads. */
const DRAW_SAMPLE = 'drawSample';
const EXTEND_COLLECTION = 'extendCollection';
const RETRIES = 8;

/** What a refusal adds about why: for developers (English) and for people (Chinese). */
interface Hint {
  readonly en: string;
  readonly zh: string;
}
const hint = (en: string, zh: string): Hint => ({ en, zh });
const NO_HINT: Hint = hint('', '');

/** The parts of the engine the service uses: its public API, never its database. */
export type SurveyRoundEngine = Pick<Engine, 'instances' | 'transitions' | 'definitions' | 'records' | 'clock' | 'calendar' | 'ids'>;

export interface StartRoundInput {
  readonly project: string;
  readonly serviceCenter: string;
  readonly batch: string;
  readonly stage: string;
  readonly businessKey?: string;
  /** 003 四.(二): the occasion of an ad hoc round (kind, reason, serviceItem, serviceStartedOn, targetGroup), checked by the context schema. */
  readonly occasion?: Record<string, unknown>;
}

export interface IssuedToken {
  readonly householdId: string;
  readonly building: string;
  readonly unit: string;
  readonly room: string;
  readonly token: string;
}

export interface RoundAnswers {
  readonly ratings?: Record<string, string | null>;
  readonly comments?: Record<string, string | null>;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class SurveyRoundService {
  constructor(
    private readonly engine: SurveyRoundEngine,
    readonly store: SurveyRoundRepository,
  ) {}

  /** The service over a running engine, its repository on the engine's database. */
  static forEngine(engine: Engine): SurveyRoundService {
    return new SurveyRoundService(engine, SurveyRoundRepository.over(engine.db));
  }

  private machine(round: Pick<InstanceView, 'definitionVersionId'>): Promise<ProcessMachine> {
    return this.engine.definitions.machine(round.definitionVersionId);
  }

  private async rules(round: InstanceView): Promise<Readonly<Record<string, unknown>>> {
    return (await this.machine(round)).definition.ruleValues;
  }

  /** The round, readable by the actor; refuses an instance of another process. */
  async round(roundId: string, actor: Actor): Promise<InstanceView> {
    const round = await this.engine.instances.get(roundId, actor);
    if (round.definition !== ROUND_DEFINITION)
      throw new AppError(ErrorCode.NotFound, `instance ${roundId} is not a survey round (it is a '${round.definition}')`, undefined, {
        userMessage: '没有找到这个调研批次，请从调研批次列表中重新打开。',
      });
    return round;
  }

  /**
   * The round, once the actor may trigger the event (its roles in survey-round.yaml) and the
   * round's current state accepts it; `hint` says what to do otherwise.
   */
  private async roundFor(roundId: string, actor: Actor, type: string, what: string, hint: (round: InstanceView) => Hint): Promise<InstanceView> {
    const round = await this.round(roundId, actor);
    const machine = await this.machine(round);
    requireMayTrigger({ machine, actor, type, what });
    const { en, zh } = hint(round);
    requireAcceptedNow({ machine, state: round.state, label: `round ${round.businessKey}`, type, what, hint: en, userHint: zh });
    return round;
  }

  /** Sends one data-bearing event on behalf of `actor`, retrying when another form moved the round on meanwhile. */
  private async sendAs(
    roundId: string,
    actor: Actor,
    type: string,
    payload: Record<string, unknown>,
    within: TransitionOptions['within'],
  ): Promise<InstanceView> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.engine.transitions.send(roundId, { type, payload }, actor, { within, viaService: true });
      } catch (err) {
        if (err instanceof AppError && err.code === ErrorCode.VersionConflict && attempt < RETRIES) continue;
        throw err;
      }
    }
  }

  /** Starts a round; the stage must be one of rules.stages. */
  async start(input: StartRoundInput, actor: Actor): Promise<InstanceView> {
    const version = await this.engine.definitions.latest(ROUND_DEFINITION);
    const definition = (await this.engine.definitions.machine(version.id)).definition;
    // Who may start is decided before anything about the input is said.
    if (!definition.startRoles.some((r) => actor.roles.includes(r))) {
      throw new AppError(
        ErrorCode.Forbidden,
        `you may not start '${ROUND_DEFINITION}': it needs one of the roles ${definition.startRoles.join(', ')}; you have ${actor.roles.join(', ') || 'none'}`,
        undefined,
        { userMessage: startRefusalText(definition) },
      );
    }
    const stages = (definition.ruleValues.stages ?? []) as string[];
    if (!stages.includes(input.stage)) {
      throw new AppError(
        ErrorCode.BadRequest,
        `unknown stage '${input.stage}'; the stages of ${ROUND_DEFINITION} (rule stages) are ${stages.join('、')}`,
        undefined,
        {
          userMessage: `调研阶段「${input.stage}」不在可选范围内，请从以下阶段中选择：${stages.join('、')}。`,
        },
      );
    }
    const businessKey = input.businessKey ?? `SR-${input.project}-${input.batch}-${input.stage}`;
    const created = await this.engine.transitions.create(
      {
        definition: ROUND_DEFINITION,
        businessKey,
        context: {
          roundKey: businessKey,
          project: input.project,
          serviceCenter: input.serviceCenter,
          batch: input.batch,
          stage: input.stage,
          ...(input.occasion ? { occasion: input.occasion } : {}),
        },
      },
      actor,
    );
    return created.instance;
  }

  /**
   * Imports the roster file (CSV or XLSX). A file with any bad row is refused whole with every
   * error (row, column, value); nothing is stored and an earlier import stays as it was.
   */
  async importRoster(
    roundId: string,
    file: { fileName: string; content: Buffer },
    actor: Actor,
    onProgress?: (done: number, total: number) => void,
  ): Promise<InstanceView> {
    await this.roundFor(roundId, actor, ROUND_EVENTS.importRoster, 'importing the roster', (round) =>
      round.context.rosterFrozenAt
        ? hint('the roster is frozen; changes now come only through approved exclusion requests', '名单已冻结，此后只能通过已批准的剔除申请变更')
        : (round.context.plan as { approvedAt?: string } | undefined)?.approvedAt
          ? NO_HINT
          : hint('the plan must be approved first', '调研计划须先经批准'),
    );
    if (file.content.length === 0)
      throw new AppError(ErrorCode.RosterInvalid, `roster ${file.fileName} is empty; nothing was stored`, undefined, {
        userMessage: '上传的业主名单是空文件，未导入任何数据，请选择填好的名单文件重新上传。',
      });
    const households = assertRosterValid({ fileName: file.fileName, result: await parseRoster({ ...file, onProgress }) });
    const rows = households.map((h, i) => ({ ...h, rowNo: i + 1 }));
    return this.sendAs(
      roundId,
      actor,
      ROUND_EVENTS.importRoster,
      {
        fileName: file.fileName,
        sha256: createHash('sha256').update(file.content).digest('hex'),
        households: households.length,
        occupied: households.filter((h) => h.occupied).length,
        specialRemarks: households.filter((h) => h.specialRemark).length,
      },
      (tx, t) => this.store.replaceRoster(tx, roundId, rows, t.seq),
    );
  }

  /** The previous round of the same project and stage with a drawn sample (any validity). */
  private async previousSampledRound(round: InstanceView): Promise<InstanceSummary | undefined> {
    return previousSampledRound({ rounds: await this.engine.records.instanceSummaries(ROUND_DEFINITION), current: round });
  }

  private draw(
    round: InstanceView,
    households: readonly StoredHousehold[],
    rules: Readonly<Record<string, unknown>>,
    seed: number,
    previous: readonly string[],
  ): SampleDraw {
    const plan = (round.context.plan ?? {}) as { sampleSize?: number };
    return drawSample({
      households,
      seed,
      minimumShare: Number(rules.minimumSampleShare),
      minimumCount: plan.sampleSize ?? 0,
      excluded: new Set(households.filter((h) => h.excludedRef).map((h) => h.id)),
      previouslySampled: new Set(previous),
    });
  }

  /**
   * Draws the sample: at least rules.minimumSampleShare of the occupied, not excluded households
   * (or the plan's sample size when larger), households not sampled in the previous round of the
   * same project and stage first. The seed is recorded in the audited event.
   */
  async drawSample(roundId: string, actor: Actor): Promise<InstanceView> {
    const round = await this.roundFor(roundId, actor, DRAW_SAMPLE, 'drawing the sample', (r) =>
      !r.context.roster
        ? hint('import and freeze the roster first', '请先导入并冻结业主名单')
        : !r.context.rosterFrozenAt
          ? hint('freeze the roster first', '请先冻结业主名单')
          : NO_HINT,
    );
    const rules = await this.rules(round);
    const households = await this.store.households(roundId);
    const previous = await this.previousSampledRound(round);
    const draw = this.draw(round, households, rules, newSeed(), previous ? await this.store.sampledIds(previous.id) : []);
    if (draw.shortfall > 0) {
      throw new AppError(
        ErrorCode.BadRequest,
        `the plan asks for ${draw.required} households but only ${draw.eligible} are occupied and not excluded; lower the plan's sample size`,
        undefined,
        { userMessage: `调研计划要求抽取 ${draw.required} 户，但名单中已入住且未剔除的只有 ${draw.eligible} 户，请调低计划样本量后再抽样。` },
      );
    }
    return this.sendAs(
      roundId,
      actor,
      DRAW_SAMPLE,
      {
        seed: draw.seed,
        eligible: draw.eligible,
        required: draw.required,
        size: draw.sample.length,
        fromFresh: draw.fromFresh,
        fromPrevious: draw.fromPrevious,
        previousRound: previous?.businessKey ?? null,
        households: draw.sample,
      },
      (tx, t) => this.store.markSampled(tx, roundId, draw.sample, t.seq),
    );
  }

  /** Redraws the sample from the stored roster and the audited seed: an auditor's check. */
  async verifySample(roundId: string, actor: Actor): Promise<{ seed: number; reproduced: boolean; size: number }> {
    const round = await this.round(roundId, actor);
    const sample = round.context.sample as { seed: number; previousRound: string | null } | undefined;
    if (!sample) {
      throw new AppError(
        ErrorCode.EventNotAccepted,
        `round ${round.businessKey} has no sample yet (it is in '${stateTitle({ machine: await this.machine(round), state: round.state })}')`,
        undefined,
        { userMessage: `该调研批次尚未抽样（现在处于「${stateTitle({ machine: await this.machine(round), state: round.state })}」），抽样后才能核验。` },
      );
    }
    const households = await this.store.households(roundId);
    let previousIds: string[] = [];
    if (sample.previousRound) {
      const [prev] = await this.engine.records.instanceSummaries(ROUND_DEFINITION, { businessKey: sample.previousRound });
      previousIds = prev ? await this.store.sampledIds(prev.id) : [];
    }
    const draw = this.draw(round, households, await this.rules(round), sample.seed, previousIds);
    const stored = households
      .filter((h) => h.sampled)
      .map((h) => h.id)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { seed: sample.seed, reproduced: JSON.stringify(draw.sample) === JSON.stringify(stored), size: stored.length };
  }

  /**
   * Issues one single-use token per sampled household and opens collection. The tokens are
   * returned here, once; only their SHA-256 is stored.
   */
  async issueTokens(roundId: string, actor: Actor): Promise<{ round: InstanceView; tokens: IssuedToken[] }> {
    await this.roundFor(roundId, actor, ROUND_EVENTS.issueTokens, 'issuing the questionnaires', (r) =>
      !r.context.sample
        ? hint('draw the sample first', '请先抽样')
        : Number(r.context.issued ?? 0) > 0
          ? hint('tokens were already issued; they are shown only once', '答卷码已发放过，只在发放时显示一次')
          : NO_HINT,
    );
    const sampled = (await this.store.households(roundId)).filter((h) => h.sampled);
    const tokens = sampled.map((h) => ({
      householdId: h.id,
      building: h.building,
      unit: h.unit,
      room: h.room,
      token: surveyToken((n) => this.engine.ids.randomBytes(n)),
    }));
    const next = await this.sendAs(roundId, actor, ROUND_EVENTS.issueTokens, { issued: tokens.length }, (tx, t) =>
      this.store.insertTokens(
        tx,
        roundId,
        tokens.map((k) => ({ hash: tokenHash(k.token), householdId: k.householdId })),
        t.seq,
      ),
    );
    return { round: next, tokens };
  }

  /**
   * What the owner's page shows for a token, or a clear refusal. The token is the key: the
   * round is read through the engine's records (no user, so no reading role is involved).
   */
  async tokenForm(token: string): Promise<{ round: InstanceSummary; householdId: string; room: string; questionnaire: Questionnaire }> {
    const row = await this.store.tokenByHash(tokenHash(token));
    const [round] = row ? await this.engine.records.instanceSummaries(ROUND_DEFINITION, { id: row.roundId }) : [];
    if (!row || !round)
      throw new AppError(ErrorCode.NotFound, '调查码无效：请核对问卷上的调查码或链接。(unknown survey token)', undefined, {
        userMessage: '调查码无效：请核对问卷上的调查码或链接。',
      });
    const machine = await this.machine(round);
    if (!acceptedNow({ machine, state: round.state, type: ROUND_EVENTS.recordResponse })) {
      // Closed for good (collection ended, or the round is over), or only not now (e.g. paused).
      const ended = Boolean(round.context.surveyedTo) || machine.definition.states[round.state]?.kind === 'final';
      throw new AppError(
        ErrorCode.EventNotAccepted,
        ended
          ? 'the collection of this round is closed; the token has expired'
          : `round ${round.businessKey} does not take answers now: it is in '${stateTitle({ machine, state: round.state })}'`,
        { state: round.state },
        {
          userMessage: ended ? '本次调查已结束，问卷不再接收，感谢您的关注。' : '本次调查目前暂停接收问卷，恢复后您仍可凭此答卷码填写，感谢您的耐心。',
        },
      );
    }
    if (row.usedAt) {
      const usedAt = dateCn(row.usedAt, { time: true, timeZone: this.engine.calendar.timeZone });
      throw new AppError(ErrorCode.AlreadyExists, `此调查码已于 ${usedAt} 使用，每户只能提交一次。(this token was already used)`, undefined, {
        userMessage: `此调查码已于 ${usedAt} 使用，每户只能提交一次。`,
      });
    }
    const h = (await this.store.households(row.roundId)).find((x) => x.id === row.householdId);
    const room = h ? [h.building, h.unit ? `${h.unit}单元` : '', h.room].filter(Boolean).join(' ') : row.householdId;
    return { round, householdId: row.householdId, room, questionnaire: round.context.questionnaire as Questionnaire };
  }

  private checkAnswers(questionnaire: Questionnaire, answers: unknown): RoundAnswers {
    const errors = validateAnswers({ questionnaire, answers });
    if (errors.length) {
      throw new AppError(
        ErrorCode.PayloadInvalid,
        `the answers do not fit the questionnaire: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
        { errors },
        { userMessage: '问卷内容有误：请逐项选择调查表中列出的评价等级，意见请填写在对应的栏内，然后重新提交。' },
      );
    }
    return answers as RoundAnswers;
  }

  /** An owner's answers through the public page: the token is the only key, usable once. */
  async answerOnline(token: string, answers: unknown): Promise<InstanceView> {
    const form = await this.tokenForm(token);
    const checked = this.checkAnswers(form.questionnaire, answers);
    const owner: Actor = { id: `owner:${form.householdId}`, roles: [TOKEN_HOLDER_ROLE] };
    return this.sendAs(
      form.round.id,
      owner,
      ROUND_EVENTS.recordResponse,
      { householdId: form.householdId, channel: 'online', answers: checked },
      async (tx, t) => {
        const at = this.engine.clock.now().toISOString();
        if (!(await this.store.spendToken(tx, form.round.id, form.householdId, t.seq, at))) {
          throw new AppError(ErrorCode.AlreadyExists, '此调查码已使用，每户只能提交一次。(this token was already used)', undefined, {
            userMessage: '此调查码已使用，每户只能提交一次。',
          });
        }
        await this.store.insertResponse(tx, form.round.id, {
          householdId: form.householdId,
          channel: 'online',
          answers: checked,
          auditSeq: t.seq,
          recordedBy: owner.id,
          receivedAt: at,
        });
      },
    );
  }

  /** A paper form typed in by staff; spends the household's token so it cannot answer twice. */
  async enterPaperForm(roundId: string, householdId: string, answers: unknown, actor: Actor): Promise<InstanceView> {
    // The state's title says why (e.g. paused); the hint only what that title cannot.
    const round = await this.roundFor(roundId, actor, ROUND_EVENTS.recordResponse, 'entering a paper form', (r) =>
      Number(r.context.issued ?? 0) === 0
        ? hint('the questionnaires have not been issued yet', '问卷尚未发放')
        : r.context.surveyedTo
          ? hint('the collection is closed', '问卷回收已截止')
          : NO_HINT,
    );
    const household = (await this.store.households(roundId)).find((h) => h.id === householdId);
    if (!household)
      throw new AppError(ErrorCode.NotFound, `household '${householdId}' is not on the roster of round ${round.businessKey}`, undefined, {
        userMessage: `住户 ${householdId} 不在本批次的业主名单中，请核对问卷上的住户编号。`,
      });
    if (!household.sampled)
      throw new AppError(
        ErrorCode.BadRequest,
        `household '${householdId}' was not sampled in round ${round.businessKey}; only sampled households return forms`,
        undefined,
        { userMessage: `住户 ${householdId} 不是本批次抽中的住户，只有抽中的住户的问卷才能录入，请核对住户编号。` },
      );
    if (await this.store.hasResponse(roundId, householdId)) {
      throw new AppError(ErrorCode.AlreadyExists, `household '${householdId}' already returned a form in round ${round.businessKey}`, undefined, {
        userMessage: `住户 ${householdId} 的问卷已经回收，每户只能交一份，无须重复录入。`,
      });
    }
    const checked = this.checkAnswers(round.context.questionnaire as Questionnaire, answers);
    return this.sendAs(roundId, actor, ROUND_EVENTS.recordResponse, { householdId, channel: 'paper', answers: checked }, async (tx, t) => {
      const at = this.engine.clock.now().toISOString();
      if (!(await this.store.spendToken(tx, roundId, householdId, t.seq, at))) {
        throw new AppError(ErrorCode.AlreadyExists, `household '${householdId}' already answered (its token was used)`, undefined, {
          userMessage: `住户 ${householdId} 已经在网上答过卷，每户只能交一份，无须再录入纸质问卷。`,
        });
      }
      await this.store.insertResponse(tx, roundId, { householdId, channel: 'paper', answers: checked, auditSeq: t.seq, recordedBy: actor.id, receivedAt: at });
    });
  }

  /**
   * The roster as stored. Owner names and phones are masked unless the actor holds one of
   * rules.fullContactRoles (002 第六条.2: roles that need not see them do not).
   */
  async households(roundId: string, actor: Actor, filter: { sampled?: boolean } = {}) {
    const round = await this.round(roundId, actor);
    const full = (((await this.rules(round)).fullContactRoles as string[]) ?? []).some((r) => actor.roles.includes(r));
    const rows = (await this.store.households(roundId)).filter((h) => filter.sampled === undefined || h.sampled === filter.sampled);
    return {
      masked: !full,
      items: rows.map((h) => ({
        id: h.id,
        row: h.rowNo,
        building: h.building,
        unit: h.unit,
        room: h.room,
        ownerName: full ? h.ownerName : maskName(h.ownerName),
        phone: h.phone ? (full ? h.phone : maskPhone(h.phone)) : null,
        occupied: h.occupied,
        specialRemark: h.specialRemark ?? null,
        excluded: h.excludedRef !== null,
        /** The number of the approved exclusion request that excluded it. */
        excludedBy: h.excludedRef,
        sampled: h.sampled,
      })),
    };
  }

  /** The official F002 figures; refused for a round that is invalid or not yet computed. */
  async statistics(roundId: string, actor: Actor): Promise<{ round: InstanceView; statistics: SurveyStatistics }> {
    const round = await this.round(roundId, actor);
    const validity = round.context.validity as { valid: boolean; threshold: number } | undefined;
    const figures = round.context.figures as { responseRate: number } | undefined;
    if (validity && !validity.valid) {
      const machine = await this.machine(round);
      const extend = acceptedNow({ machine, state: round.state, type: EXTEND_COLLECTION });
      throw new AppError(
        ErrorCode.EventNotAccepted,
        `round ${round.businessKey} is invalid: its response rate ${((figures?.responseRate ?? 0) * 100).toFixed(1)}% did not exceed ${(validity.threshold * 100).toFixed(1)}%, so it has no official figures${extend ? `; ${roleTitles({ machine, roles: extend.roles })} may extend the collection` : ''}`,
        undefined,
        {
          userMessage: `本批次回收率 ${((figures?.responseRate ?? 0) * 100).toFixed(1)}% 未超过 ${(validity.threshold * 100).toFixed(1)}%，调查无效，没有正式统计数据${extend ? `；${roleTitles({ machine, roles: extend.roles })}可以延长回收期` : ''}。`,
        },
      );
    }
    if (!round.context.statistics) {
      throw new AppError(
        ErrorCode.EventNotAccepted,
        `round ${round.businessKey} has no statistics yet (it is in '${stateTitle({ machine: await this.machine(round), state: round.state })}'); they are computed after a valid collection closes`,
        undefined,
        {
          userMessage: `本批次还没有统计数据（现在处于「${stateTitle({ machine: await this.machine(round), state: round.state })}」），有效回收结束后才会生成统计表。`,
        },
      );
    }
    return { round, statistics: round.context.statistics as SurveyStatistics };
  }

  async statisticsXlsx(roundId: string, actor: Actor): Promise<Buffer> {
    const { round, statistics } = await this.statistics(roundId, actor);
    const c = round.context;
    return exportStatisticsXlsx({
      statistics,
      serviceCenter: String(c.serviceCenter),
      project: String(c.project),
      batch: String(c.batch),
      preparedBy: c.preparedBy as string | undefined,
      preparedAt: typeof c.preparedAt === 'string' ? c.preparedAt : undefined,
      timeZone: this.engine.calendar.timeZone,
    });
  }
}

/**
 * A questionnaire token: 192 random bits in base64url, drawn again while it starts with `-` or
 * `_`. Tokens are printed and exported to CSV/XLSX, where a text starting with `-` is written
 * with a leading quote (formula neutralisation): such a token would reach the owner as `'-…`
 * and be refused as unknown. Redrawing costs less than 0.05 bits.
 */
export function surveyToken(draw: (bytes: number) => Buffer): string {
  for (;;) {
    const token = draw(24).toString('base64url');
    if (/^[A-Za-z0-9]/.test(token)) return token;
  }
}
