import Handlebars from 'handlebars';
import { add, dateCn, dateTimeCn, eq, inc, join, maskName, maskPhone, money, percent, registerTemplateHelpers } from './template-helpers';

describe('template helpers', () => {
  it('dateCn: dates and instants in Asia/Shanghai', () => {
    expect(dateCn('2026-02-13')).toBe('2026年2月13日');
    expect(dateCn('2026-02-13T02:00:00Z')).toBe('2026年2月13日');
    expect(dateCn('2026-02-13T17:30:00Z')).toBe('2026年2月14日'); // already the 14th in Shanghai
    expect(dateCn('2026-02-13T02:00:00Z', { time: true })).toBe('2026年2月13日 10:00');
    expect(dateCn(new Date('2026-10-01T00:05:00+08:00'), { time: true })).toBe('2026年10月1日 00:05');
    expect(dateCn('2026-02-13', { time: true })).toBe('2026年2月13日');
    expect(dateCn(undefined)).toBe('');
    expect(dateCn('not a date')).toBe('');
  });

  it('dateCn: a moment where the UTC and the Shanghai dates differ reads as the Shanghai date', () => {
    expect(dateCn('2026-12-01T18:13:58.216Z')).toBe('2026年12月2日');
    expect(dateCn('2026-12-01T18:13:58.216Z', { time: true })).toBe('2026年12月2日 02:13');
    expect(dateCn('2026-12-01T18:13:58.216Z', { time: true, timeZone: 'UTC' })).toBe('2026年12月1日 18:13');
  });

  it('dateCn: a date-time without an offset is a wall time, never read in the server zone', () => {
    expect(dateCn('2026-12-02T02:13', { time: true })).toBe('2026年12月2日 02:13');
    expect(dateCn('2026-12-02T02:13:00', { time: true, timeZone: 'America/New_York' })).toBe('2026年12月2日 02:13');
  });

  it('dateTimeCn: date and time, a date alone when no time is known', () => {
    expect(dateTimeCn('2026-12-01T18:13:58.216Z')).toBe('2026年12月2日 02:13');
    expect(dateTimeCn('2026-12-02')).toBe('2026年12月2日');
    expect(dateTimeCn(undefined)).toBe('');
  });

  it('percent: one decimal, ratio or numerator/denominator', () => {
    expect(percent(0.5112)).toBe('51.1%');
    expect(percent(160, 313)).toBe('51.1%');
    expect(percent(313, 399)).toBe('78.4%');
    expect(percent(1)).toBe('100.0%');
    expect(percent(0.5115)).toBe('51.2%');
    expect(percent(1, 0)).toBe('—');
    expect(percent(undefined)).toBe('');
  });

  it('money: yuan with thousands separators and two decimals', () => {
    expect(money(1234.5)).toBe('¥1,234.50');
    expect(money('88')).toBe('¥88.00');
    expect(money(-12.345)).toBe('-¥12.35');
    expect(money(null)).toBe('');
  });

  it('maskName keeps the first character', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('李')).toBe('李');
    expect(maskName('')).toBe('');
  });

  it('maskPhone keeps the first 3 and last 4 digits, mobiles and landlines', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone(13812345678)).toBe('138****5678');
    expect(maskPhone('0755-12345678')).toBe('075*-****5678');
    expect(maskPhone('1234567')).toBe('***4567'); // short numbers never show in full
    expect(maskPhone(undefined)).toBe('');
  });

  it('eq, add, inc, join', () => {
    expect(eq('重大', '重大')).toBe(true);
    expect(eq(1, '1')).toBe(false);
    expect(add(2, '3')).toBe(5);
    expect(inc(0)).toBe(1);
    expect(join(['工程部', '保安部', null])).toBe('工程部、保安部');
    expect(join(['a', 'b'], ' / ')).toBe('a / b');
    expect(join(undefined)).toBe('');
  });

  describe('registered on a Handlebars instance', () => {
    const hb = Handlebars.create();
    registerTemplateHelpers(hb);
    const render = (source: string, data: object = {}): string => hb.compile(source)(data);

    it('passes arguments and hash options through', () => {
      expect(render('{{dateCn at time=true}}', { at: '2026-02-13T02:00:00Z' })).toBe('2026年2月13日 10:00');
      expect(render('{{dateCn at}}', { at: '2026-02-13T02:00:00Z' })).toBe('2026年2月13日');
      expect(render('{{dateTimeCn at}}', { at: '2026-12-01T18:13:58Z' })).toBe('2026年12月2日 02:13');
      expect(render('{{dateTimeCn at timeZone="UTC"}}', { at: '2026-12-01T18:13:58Z' })).toBe('2026年12月1日 18:13');
      expect(render('{{percent returned issued}}', { returned: 160, issued: 313 })).toBe('51.1%');
      expect(render('{{percent rate}}', { rate: 0.972 })).toBe('97.2%');
      expect(render('{{money fee}}', { fee: 1234.5 })).toBe('¥1,234.50');
      expect(render('{{maskName n}} {{maskPhone p}}', { n: '欧阳娜娜', p: '13812345678' })).toBe('欧*** 138****5678');
      expect(render('{{#each rows}}{{inc @index}}.{{this}} {{/each}}', { rows: ['a', 'b'] })).toBe('1.a 2.b ');
      expect(render('{{add a b}}', { a: 1, b: 2 })).toBe('3');
      expect(render('{{#if (eq s "重大")}}!{{/if}}', { s: '重大' })).toBe('!');
      expect(render('{{join list}}', { list: ['x', 'y'] })).toBe('x、y');
    });

    it('reads instants in the zone the helpers were registered with (the calendar of the engine)', () => {
      const utc = Handlebars.create();
      registerTemplateHelpers(utc, { timeZone: 'UTC' });
      const at = { at: '2026-12-01T18:13:58Z' };
      expect(utc.compile('{{dateCn at time=true}}|{{dateTimeCn at}}|{{dateCn at}}')(at)).toBe('2026年12月1日 18:13|2026年12月1日 18:13|2026年12月1日');
      // A zone written in the template still wins.
      expect(utc.compile('{{dateCn at time=true timeZone="Asia/Shanghai"}}')(at)).toBe('2026年12月2日 02:13');
    });

    it('output is escaped', () => {
      expect(render('{{maskName n}}', { n: '<b>张三</b>' })).toBe('&lt;********');
      expect(render('{{join list}}', { list: ['<i>', '&'] })).toBe('&lt;i&gt;、&amp;');
    });
  });
});
