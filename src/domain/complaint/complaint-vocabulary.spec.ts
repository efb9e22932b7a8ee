import { complaintDefinition } from '../../../test/fixtures/complaint/complaint-driver';
import { COMPLAINT_VOCABULARY, complaintVocabularyFrom, eventTitle, isHandlingState } from './complaint-vocabulary';

describe('complaint vocabulary', () => {
  it('is exactly what definitions/complaint.yaml says (channels, rules, state/event/role titles)', () => {
    expect(complaintVocabularyFrom({ definition: complaintDefinition().definition })).toEqual(COMPLAINT_VOCABULARY);
  });

  it('finds the innermost title of an event, as the engine resolves it', () => {
    expect(eventTitle({ event: 'replyOverdue', state: 'inProgress' })).toBe('超过回单时限且未说明原因（系统）');
    expect(eventTitle({ event: 'replyOverdue', state: 'delayExplained' })).toBe('回单时限届满（已说明延误，不上报）');
    expect(eventTitle({ event: 'reply', state: 'overdue' })).toBe('回单（处理方式与结果）');
    expect(eventTitle({ event: 'reply', state: 'closed' })).toBeUndefined();
  });

  it('knows which states are inside handling', () => {
    expect(['inProgress', 'delayExplained', 'overdue', 'longTermPending', 'longTermFollowUp', 'handling'].every((state) => isHandlingState({ state }))).toBe(
      true,
    );
    expect(['registered', 'classified', 'returnVisit', 'closed', null].some((state) => isHandlingState({ state }))).toBe(false);
  });
});
