/**
 * The domain's complaint record reads the engine's views as they are: `src/domain/` declares
 * its own input shapes (it imports nothing from the engine), so this check that the engine's
 * `AuditEntryView` fits them lives here, beside the code that hands one to the other.
 */
import type { AuditEntryView } from '../../engine/instance.types';
import { BusinessCalendar } from '../../calendar/business-calendar';
import { complaintRecordFrom, toComplaintFacts, type ComplaintAuditEntry } from '../../domain/complaint/complaint-record';

const calendar = new BusinessCalendar();
const FRI = '2026-02-13T10:00:00+08:00';

describe('complaint records from the engine views', () => {
  it('accepts the engine views as they are (AuditEntryView is a ComplaintAuditEntry)', () => {
    const view: AuditEntryView = {
      instanceId: 'i',
      seq: 2,
      eventType: 'classify',
      payload: { valid: false, reason: 'r' },
      actor: 'zhang',
      actorRoles: ['cs_assistant'],
      fromState: 'registered',
      toState: 'invalid',
      definitionVersionId: 'v',
      effects: null,
      at: '2026-02-13T02:00:00.000Z',
      prevHash: 'a',
      hash: 'b',
      cause: null,
    };
    const entry: ComplaintAuditEntry = view;
    const record = complaintRecordFrom({
      instance: { id: 'i', businessKey: 'K', state: 'invalid', status: 'completed', context: { receivedAt: FRI, channel: '来访', unit: 'u', content: 'c' } },
      audit: [view, { ...view, seq: 1, eventType: '$start', fromState: null, toState: 'registered' }],
      timers: [],
    });
    expect(record.trail.map((e) => e.seq)).toEqual([1, 2]);
    expect(entry.toState).toBe('invalid');
    expect(toComplaintFacts({ record, calendar })).toMatchObject({ valid: false, closedAt: '2026-02-13T02:00:00.000Z' });
  });
});
