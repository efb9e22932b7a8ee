import { join } from 'node:path';
import { TemplateCatalog } from '../../documents/template-catalog';
import { BusinessCalendar } from '../../calendar/business-calendar';
import { ComplaintRun } from '../../../test/fixtures/complaint/complaint-driver';
import { MONTHLY_REPORT_TEMPLATE_FIELDS, monthlyComplaintReport } from './monthly-report';

const TEMPLATE = 'complaint-monthly-report';
const catalog = TemplateCatalog.fromDirectory(join(__dirname, '../../../templates'));
const calendar = new BusinessCalendar();

function dispatched(key: string, unit: string, at: string, category = '设备设施', department = '工程部'): ComplaintRun {
  return new ComplaintRun(key, key, { receivedAt: at, unit, content: '电梯故障' }, at)
    .send('classify', { valid: true, category, severity: '一般' })
    .send('dispatch', { department });
}

const records = [
  // Friday 2026-02-13, due Wednesday 2026-02-25 18:00, replied Thursday: late, not explained.
  dispatched('TS-0001', '3栋<img src=x onerror=alert(1)>', '2026-02-13T10:00:00+08:00')
    .send('reply', { method: 'm', result: 'r' }, { at: '2026-02-26T09:00:00+08:00' })
    .send('recordReturnVisit', { satisfied: true }, { at: '2026-02-26T15:00:00+08:00' })
    .toRecord(),
  dispatched('TS-0002', '5栋201', '2026-02-16T10:00:00+08:00', '管理服务', '保安部')
    .send('reply', { method: 'm', result: 'r' }, { at: '2026-02-24T10:00:00+08:00' })
    .send('recordReturnVisit', { satisfied: true }, { at: '2026-02-24T15:00:00+08:00' })
    .toRecord(),
  dispatched('TS-0003', '6栋101', '2026-02-24T10:00:00+08:00')
    .send('explainDelay', { explanation: '配件需从厂家调货' }, { at: '2026-02-25T10:00:00+08:00' })
    .send('reply', { method: 'm', result: 'r' }, { at: '2026-03-03T10:00:00+08:00' })
    .toRecord(),
  new ComplaintRun('TS-0004', 'TS-0004', { receivedAt: '2026-02-27T10:00:00+08:00' }, '2026-02-27T10:00:00+08:00')
    .send('classify', { valid: false, reason: '重复投诉' })
    .toRecord(),
];
const report = monthlyComplaintReport({ month: '2026-02', records, calendar, now: new Date('2026-03-04T09:00:00+08:00') });
const data = {
  report,
  analysis: '设备老化，维保不到位。<script>alert("x")</script>',
  proposals: '1. 电梯月检。\n2. 配件备库。',
  renderedAt: '2026-03-04T01:00:00.000Z',
};

describe('templates/complaint-monthly-report.hbs', () => {
  it('reads exactly the documented fields', () => {
    expect(catalog.referencedRootFields(TEMPLATE)).toEqual([...MONTHLY_REPORT_TEMPLATE_FIELDS].sort());
    expect([...catalog.partialsUsedBy(TEMPLATE)].sort()).toEqual(['layout', 'sheet']);
  });

  it('prints the figures of the month on the shared A4 layout', () => {
    expect(report).toMatchObject({ received: 4, valid: 3, invalid: 1, closed: 2, backlogAtMonthEnd: 1 });
    expect(report.replyTimeliness).toMatchObject({ onTime: 1, late: 1, explained: 1, decided: 3 });
    const { html } = catalog.render(TEMPLATE, data);
    expect(html).toContain('@page { size: A4; margin: 18mm 15mm; }');
    expect(html).toContain('<h1>投诉月报</h1>');
    expect(html).toContain('编号：2026-02');
    expect(html).toContain('统计期间：2026年2月1日至2026年2月28日（2026年2月受理的投诉）');
    expect(html).not.toContain('本月尚未结束');
    const cell = (label: string, value: string) => expect(html).toContain(`<th>${label}</th><td class="n">${value}</td>`);
    cell('受理投诉', '4');
    cell('有效投诉', '3');
    cell('无效投诉', '1');
    cell('按时回单', '1');
    cell('已说明延误', '1');
    cell('超时未说明', '1');
    cell('按时回单率', '33.3%');
    cell('本月受理已结案', '2');
    cell('月末未结案', '1');
    cell('平均回单用时', `${report.averageWorkingDaysToReply} 个工作日`);
    expect(html).toContain('<span class="tally">设备设施　2</span>');
    expect(html).toContain('<span class="tally">管理服务　1</span>');
    expect(html).toContain('<span class="tally">收费　0</span>');
    expect(html).toContain('主要类别：设备设施（2）、管理服务（1）');
    expect(html).toContain('投诉内容关键词：电梯（3）');
    expect(html).toContain('打印时间：2026年3月4日 09:00');
  });

  it('lists the late complaints, with their deadline and explanation', () => {
    const { html } = catalog.render(TEMPLATE, data);
    expect(html).toContain('<td>TS-0001</td>');
    expect(html).toContain('<td>2026年2月25日 18:00</td><td>2026年2月26日 09:00</td>');
    expect(html).toContain('<td>超时未说明</td>');
    expect(html).toContain('<td>TS-0003</td>');
    expect(html).toContain('<td class="text">配件需从厂家调货</td>');
    expect(html).not.toContain('<td>TS-0002</td>');
  });

  it('escapes what people wrote and keeps their line breaks as text', () => {
    const { html } = catalog.render(TEMPLATE, data);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('3栋&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    // The line break is kept (white-space: pre-wrap) and no partial indentation is added to it.
    expect(html).toMatch(/<td class="text tall">1\. 电梯月检。\n2\. 配件备库。<\/td>/);
  });

  it('says so when nothing was late, when the month is not over, and when nothing was replied', () => {
    const partial = monthlyComplaintReport({ month: '2026-02', records: records.slice(3), calendar, now: new Date('2026-02-27T12:00:00+08:00') });
    const { html } = catalog.render(TEMPLATE, { report: partial, analysis: '', proposals: '', renderedAt: '2026-02-27T04:00:00.000Z' });
    expect(html).toContain('本月受理的投诉均按时回单。');
    expect(html).toContain('<strong>本月尚未结束，数据不完整</strong>');
    expect(html).toContain('<th>按时回单率</th><td class="n">—</td>');
    expect(html).toContain('<th>平均回单用时</th><td class="n">—</td>');
    expect(html).toContain('主要类别：无');
  });
});
