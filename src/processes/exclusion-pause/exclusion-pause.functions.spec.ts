import { BusinessCalendar } from '../../calendar/business-calendar';
import type { DomainStore, StoredInstance } from '../../engine/domain-functions';
import { surveyProjectPause } from './exclusion-pause.functions';

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
