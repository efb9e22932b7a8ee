import { BusinessCalendar } from '../../calendar/business-calendar';
import type { DomainStore, StoredInstance } from '../../engine/domain-functions';
import { ErrorCode } from '../../common/app-error';
import type { SqlExecutor } from '../../persistence/database';
import { surveyExcludeFromRound, surveyExcludeHouseholds, surveyProjectPause } from './exclusion-pause.functions';

function pauseRequest(key: string, endsAt: string, state = 'paused'): StoredInstance {
  return {
    id: key,
    definition: 'pause-request',
    businessKey: key,
    state,
    status: 'active',
    context: { project: '翠湖花园一期', endsAt },
    createdAt: '2026-11-01T00:00:00Z',
    updatedAt: '2026-11-01T00:00:00Z',
    trail: [],
    timers: [],
  };
}

const storeOf = (instances: StoredInstance[]): DomainStore => ({
  instancesOf: async () => instances,
  query: async () => [],
});

const input = (instances: StoredInstance[]) => ({
  instance: { id: 'r', definition: 'survey-round', businessKey: 'SR', context: {} },
  args: { project: '翠湖花园一期' },
  now: new Date('2026-11-20T00:00:00Z'),
  calendar: new BusinessCalendar(),
  store: storeOf(instances),
});

describe('survey.projectPause', () => {
  it('gives the latest end of the pauses in force, comparing instants, not their text', async () => {
    // 2026-12-02T01:00+08:00 (= 1 December 17:00 UTC) sorts after 2026-12-01T18:13:58Z as text, but ends earlier.
    const pauses = [pauseRequest('PA-1', '2026-12-02T01:00:00+08:00'), pauseRequest('PA-2', '2026-12-01T18:13:58.216Z', 'extensionRequested')];
    await expect(surveyProjectPause(input(pauses))).resolves.toEqual({ paused: true, pauseKeys: ['PA-1', 'PA-2'], until: '2026-12-01T18:13:58.216Z' });
  });

  it('is not paused without a pause in force', async () => {
    await expect(surveyProjectPause(input([pauseRequest('PA-3', '2026-12-01T00:00:00Z', 'ended')]))).resolves.toEqual({ paused: false });
  });
});

/** An in-memory stand-in for the writing transaction: one round row and its exclusion rows. */
function fakeTx(
  round: { state: string; status: string; context: Record<string, unknown> } | undefined,
  exclusions: { householdId: string; requestKey: string }[],
) {
  const tx = {
    manager: { connection: { options: { type: 'better-sqlite3' } } },
    async rows(sql: string, params: readonly unknown[] = []) {
      if (sql.startsWith('SELECT state, status, context FROM instances')) return round ? [{ ...round, context: JSON.stringify(round.context) }] : [];
      if (sql.startsWith('SELECT household_id, request_key FROM survey_exclusions')) {
        return exclusions.filter((e) => params.slice(1).includes(e.householdId)).map((e) => ({ household_id: e.householdId, request_key: e.requestKey }));
      }
      throw new Error(`unexpected query ${sql}`);
    },
    async run(sql: string, params: readonly unknown[] = []) {
      if (sql.startsWith('INSERT INTO survey_exclusions')) exclusions.push({ householdId: String(params[1]), requestKey: String(params[2]) });
      return 1;
    },
  };
  return tx as unknown as SqlExecutor;
}

const writerInput = (tx: SqlExecutor, args: Record<string, unknown>) => ({
  tx,
  instance: { id: 'round-1', definition: 'survey-round', businessKey: 'SR', context: {} },
  args,
  seq: 5,
  now: new Date('2026-03-02T01:00:00Z'),
});

describe('survey.excludeHouseholds (a step of the round)', () => {
  it('excludes only the households not excluded yet, and changes nothing when delivered again', async () => {
    const rows = [{ householdId: '102', requestKey: 'EX-A' }];
    const tx = fakeTx(undefined, rows);
    await surveyExcludeHouseholds(writerInput(tx, { households: ['102', '103'], requestKey: 'EX-B', reason: '群诉的带头人' }));
    await surveyExcludeHouseholds(writerInput(tx, { households: ['102', '103'], requestKey: 'EX-B', reason: '群诉的带头人' }));
    expect(rows).toEqual([
      { householdId: '102', requestKey: 'EX-A' },
      { householdId: '103', requestKey: 'EX-B' },
    ]);
  });
});

describe('survey.excludeFromRound (the approving step)', () => {
  const open = { state: 'roster', status: 'active', context: {} };
  const args = { round: 'round-1', households: ['103'], requestKey: 'EX-B', reason: '群诉的带头人', states: ['planning', 'planReview', 'roster'] };

  it('writes the exclusions of the approval', async () => {
    const rows: { householdId: string; requestKey: string }[] = [];
    await surveyExcludeFromRound(writerInput(fakeTx(open, rows), args));
    expect(rows).toEqual([{ householdId: '103', requestKey: 'EX-B' }]);
  });

  it.each([
    ['a held round', { ...open, state: 'held' }, '本批次调研已暂停，剔除申请须在恢复调研后、名单冻结前审批'],
    ['a frozen roster', { ...open, context: { rosterFrozenAt: '2026-03-01T00:00:00Z' } }, '该批次调研名单已冻结，剔除申请不能再生效'],
    ['a round past the roster', { ...open, state: 'collecting' }, '调研批次已进入名单冻结后的环节，剔除申请不能再生效'],
    ['a finished round', { ...open, status: 'completed' }, '找不到进行中的调研批次，剔除申请不能生效'],
  ])('refuses the approval for %s, with the reason for people', async (_, round, message) => {
    const rows: { householdId: string; requestKey: string }[] = [];
    await expect(surveyExcludeFromRound(writerInput(fakeTx(round, rows), args))).rejects.toMatchObject({ code: ErrorCode.GuardRejected, userMessage: message });
    expect(rows).toEqual([]);
  });

  it('asks to retry when another approval excluded a household meanwhile', async () => {
    const rows = [{ householdId: '103', requestKey: 'EX-A' }];
    await expect(surveyExcludeFromRound(writerInput(fakeTx(open, rows), args))).rejects.toMatchObject({
      code: ErrorCode.VersionConflict,
      userMessage: '以下住户刚被其他剔除申请剔除：103（EX-A），请刷新后重新审批',
    });
    expect(rows).toHaveLength(1);
  });
});
