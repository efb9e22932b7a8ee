/**
 * ComplaintService against a real engine on a real SQLite file, no HTTP: who may read is the
 * engine's read check; the working view reads the trails of active complaints only and shows
 * finished ones from their current data; a time line reads its own complaint; the monthly
 * report has the figures the `complaint.monthlyReport` function computes.
 */
import { ManualClock } from '../../common/clock';
import { ErrorCode } from '../../common/app-error';
import type { Actor } from '../../compiler/process-machine.contract';
import { createProcessFunctions } from '..';
import { rejectedAppError as rejection } from '../../../test/support/app-error';
import { startEngine, type EngineHarness } from '../../../test/support/engine-harness';
import { ComplaintService } from './complaint.service';

const ca: Actor = { id: 'ca', roles: ['cs_assistant'] };
const cs: Actor = { id: 'cs', roles: ['cs_supervisor'] };
const au: Actor = { id: 'au', roles: ['auditor'] };
const outsider: Actor = { id: 'li', roles: ['applicant'] };

describe('ComplaintService on a real SQLite engine', () => {
  let h: EngineHarness;
  let service: ComplaintService;
  const clock = new ManualClock(new Date('2026-02-09T02:00:00.000Z'));
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await startEngine({ clock });
    service = new ComplaintService(h.engine);
    const create = async (key: string, content: string) =>
      (
        await h.engine.transitions.create(
          {
            definition: 'complaint',
            businessKey: key,
            context: { receivedAt: clock.now().toISOString(), complainant: '王先生', unit: '3栋201', contact: '13900000000', channel: '来访', content },
          },
          ca,
        )
      ).instance.id;
    const send = (id: string, type: string, actor: Actor, payload: Record<string, unknown>) => h.engine.transitions.send(id, { type, payload }, actor);
    ids.dispatched = await create('TS-1', '楼道灯不亮');
    await send(ids.dispatched, 'classify', ca, { valid: true, category: '设备设施', severity: '一般' });
    await send(ids.dispatched, 'dispatch', cs, { department: '工程部' });
    ids.registered = await create('TS-2', '电梯异响');
    ids.invalid = await create('TS-3', '咨询停车收费');
    await send(ids.invalid, 'classify', ca, { valid: false, reason: '咨询，非投诉' });
  });
  afterAll(() => h.close());
  afterEach(() => jest.restoreAllMocks());

  it('lists the working view for the roles of the process, from the trails of active complaints only', async () => {
    const instancesOf = jest.spyOn(h.engine.records, 'instancesOf');
    const view = await service.workingView({}, cs);
    expect(view.items.map((i) => [i.businessKey, i.status, i.dueAt !== undefined])).toEqual([
      ['TS-1', 'active', true],
      ['TS-2', 'active', false],
      ['TS-3', 'completed', false],
    ]);
    expect(view.items[0]).toMatchObject({ state: 'inProgress', department: '工程部', overdue: false, overdueByMinutes: 0 });
    expect(instancesOf.mock.calls).toEqual([['complaint', { status: 'active' }]]);
    expect((await service.workingView({ state: 'handling' }, au)).items.map((i) => i.businessKey)).toEqual(['TS-1']);
    expect((await service.workingView({ dueBefore: '2026-03-01T00:00:00Z' }, ca)).items.map((i) => i.businessKey)).toEqual(['TS-1']);
  });

  it('refuses whom the engine refuses, and a dueBefore that is not a time', async () => {
    await expect(rejection(service.workingView({}, outsider))).resolves.toMatchObject({
      code: ErrorCode.Forbidden,
      message: "you have no role in 'complaint', so you may not read its instances",
    });
    expect((await rejection(service.monthlyReport('2026-02', outsider))).code).toBe(ErrorCode.Forbidden);
    expect((await rejection(service.timeline(ids.dispatched, outsider))).code).toBe(ErrorCode.Forbidden);
    expect((await rejection(service.workingView({ dueBefore: 'tomorrow' }, cs))).code).toBe(ErrorCode.BadRequest);
    expect((await rejection(service.monthlyReport('2026-2', cs))).code).toBe(ErrorCode.BadRequest);
  });

  it('tells one complaint in Chinese, reading that complaint only', async () => {
    const instancesOf = jest.spyOn(h.engine.records, 'instancesOf');
    const { items } = await service.timeline(ids.dispatched, ca);
    expect(items).toHaveLength(3);
    expect(items[0]).toContain('登记投诉（顾客投诉记录）');
    expect(items[2]).toContain('派往工程部');
    expect(instancesOf.mock.calls).toEqual([['complaint', { id: ids.dispatched }]]);
  });

  it('refuses a time line of an instance of another process', async () => {
    const { instance: other } = await h.engine.transitions.create(
      {
        definition: 'pause-request',
        businessKey: 'PA-X',
        context: {
          requestNo: 'PA-X',
          project: 'P',
          reason: 'r',
          impact: 'i',
          startsAt: '2026-03-01T00:00:00Z',
          endsAt: '2026-04-01T00:00:00Z',
        },
      },
      { id: 'ph', roles: ['project_head'] },
    );
    await expect(rejection(service.timeline(other.id, au))).resolves.toMatchObject({ code: ErrorCode.NotFound, message: `no complaint '${other.id}'` });
  });

  it('reports a month with the figures of complaint.monthlyReport, as JSON and as a workbook', async () => {
    const report = await service.monthlyReport('2026-02', cs);
    expect(report).toMatchObject({ month: '2026-02', received: 3 });
    const computed = await createProcessFunctions().get('complaint.monthlyReport')!({
      instance: { id: 'r', definition: 'complaint-monthly-report', businessKey: 'R', context: {} },
      args: { month: '2026-02' },
      now: clock.now(),
      calendar: h.engine.calendar,
      store: h.engine.records,
    });
    expect(report).toEqual(computed);
    const xlsx = await service.monthlyReportXlsx('2026-02', au);
    expect(xlsx.subarray(0, 2).toString()).toBe('PK');
  });
});
