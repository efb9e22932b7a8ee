import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { AppError, ErrorCode } from '../../common/app-error';
import { rosterCsv, rosterRow, rosterRows, writeRosterFiles } from '../../../test/fixtures/survey/roster-fixture';
import { assertRosterValid, parseRoster } from './roster';
import { rejectedAppError as rejection } from '../../../test/support/app-error';

const csv = (text: string) => ({ fileName: 'roster.csv', content: Buffer.from(text, 'utf8') });

describe('parseRoster: generated 2,000-household files', () => {
  let dir: string;
  let files: { xlsx: string; csv: string };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'roster-'));
    files = await writeRosterFiles({ dir, count: 2000 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['xlsx', 'csv'] as const)('reads every household of the %s quickly, reporting progress', async (kind) => {
    const progress: [number, number][] = [];
    const started = Date.now();
    const result = await parseRoster({
      fileName: `roster-2000.${kind}`,
      content: readFileSync(files[kind]),
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.errors).toEqual([]);
    expect(result.households).toHaveLength(2000);
    expect(result.households.filter((h) => h.occupied)).toHaveLength(2000 - Math.ceil(2000 / 7));
    expect(result.households[0]).toEqual({
      id: '1栋-1-101',
      building: '1栋',
      unit: '1',
      room: '101',
      ownerName: '王伟',
      phone: '13800000000',
      occupied: false,
      specialRemark: '人大代表，须特别标注',
    });
    expect(result.households[1999]).toMatchObject({ id: '10栋-2-2504', ownerName: rosterRow(1999).ownerName, phone: '13800001999', occupied: true });
    expect(new Set(result.households.map((h) => h.id)).size).toBe(2000);
    expect(progress[progress.length - 1]).toEqual([2000, 2000]);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every(([done, total], i) => total === 2000 && (i === 0 || done > progress[i - 1][0]))).toBe(true);
  });
});

describe('parseRoster: headers and values', () => {
  it('accepts English headers, no BOM, no unit column and yes/no spellings', async () => {
    const result = await parseRoster(
      csv(
        'building,room,ownerName,phone,occupied,specialRemark\nA,101,Li Lei,0755-12345678,true,\nA,102,Han Meimei,,0,\nA,103,Lucy,138 1234 5678 / 13912345678,1,\n',
      ),
    );
    expect(result.errors).toEqual([]);
    expect(result.households.map((h) => [h.id, h.occupied, h.phone])).toEqual([
      ['A--101', true, '0755-12345678'],
      ['A--102', false, undefined],
      ['A--103', true, '138 1234 5678 / 13912345678'],
    ]);
  });

  it('reports every bad value with its spreadsheet row and column header, and stores nothing', async () => {
    const text = [
      '楼栋,单元,房号,业主姓名,电话,是否入住,特殊备注', // row 1
      '1栋,1,101,张三,13812345678,是,', // 2 ok
      ',1,102,李四,1381234567,也许,', // 3: building empty, phone too short, occupied bad
      '', // 4: blank rows are skipped but still counted
      '1栋,1,103,,,否,', // 5: owner empty
      '1栋,1,101,张三丰,,是,', // 6: duplicate of row 2
      '1栋,2,101,王五,phone,,', // 7: same room in another unit is fine; bad phone, occupied empty
    ].join('\n');
    const result = await parseRoster(csv(text));
    expect(result.households).toEqual([]);
    expect(result.errors).toEqual([
      { row: 3, column: '楼栋', value: '', message: '楼栋 is empty: every household needs it', userMessage: '第 3 行的「楼栋」没有填写，每户都须填写' },
      {
        row: 3,
        column: '是否入住',
        value: '也许',
        message: expect.stringContaining('write 是 or 否'),
        userMessage: '第 3 行的「是否入住」填的是“也许”，请填“是”或“否”',
      },
      {
        row: 3,
        column: '电话',
        value: '1381234567',
        message: expect.stringContaining("'1381234567' is not a phone number"),
        userMessage: expect.stringContaining('第 3 行的电话“1381234567”不是有效号码'),
      },
      {
        row: 5,
        column: '业主姓名',
        value: '',
        message: '业主姓名 is empty: every household needs it',
        userMessage: '第 5 行的「业主姓名」没有填写，每户都须填写',
      },
      {
        row: 6,
        column: '房号',
        value: '101',
        message: 'household 1栋-1-101 appears twice, on rows 2 and 6: keep one',
        userMessage: '住户 1栋-1-101 在第 2 行和第 6 行重复出现，请只保留一行',
      },
      { row: 7, column: '是否入住', value: '', message: '是否入住 is empty: write 是 or 否', userMessage: '第 7 行的「是否入住」没有填写，请填“是”或“否”' },
      {
        row: 7,
        column: '电话',
        value: 'phone',
        message: expect.stringContaining('is not a phone number'),
        userMessage: expect.stringContaining('不是有效号码'),
      },
    ]);
    const err = (() => {
      try {
        return assertRosterValid({ fileName: 'roster.csv', result });
      } catch (e) {
        return e as AppError;
      }
    })() as AppError;
    expect(err.code).toBe(ErrorCode.RosterInvalid);
    expect(err.message).toContain('roster roster.csv has 7 error(s); nothing was stored');
    expect(err.message).toContain("row 6, 房号 '101': household 1栋-1-101 appears twice, on rows 2 and 6");
    expect(err.details).toEqual({ errors: result.errors });
    expect(err.userMessage).toBe(
      '业主名单有 7 处错误，未导入任何数据：第 3 行的「楼栋」没有填写，每户都须填写；第 3 行的「是否入住」填的是“也许”，请填“是”或“否”；' +
        '第 3 行的电话“1381234567”不是有效号码：请填写 11 位手机号或带区号的固定电话（如 0755-12345678），多个号码之间用 / 分隔；' +
        '第 5 行的「业主姓名」没有填写，每户都须填写；住户 1栋-1-101 在第 2 行和第 6 行重复出现，请只保留一行；另有 2 处。请修改后重新上传。',
    );
  });

  it('returns the households from assertRosterValid when there is no error', async () => {
    const result = await parseRoster(csv(rosterCsv(rosterRows(3))));
    expect(assertRosterValid({ fileName: 'roster.csv', result })).toHaveLength(3);
  });

  it('names the missing required columns on the header row', async () => {
    const result = await parseRoster(csv('序号,楼栋,单元,姓名\n1,1栋,1,张三\n'));
    expect(result.errors).toEqual([
      { row: 1, column: '房号', value: '', message: 'the column 房号 (room) is missing', userMessage: '缺少「房号」列，请补上这一列' },
      { row: 1, column: '是否入住', value: '', message: 'the column 是否入住 (occupied) is missing', userMessage: '缺少「是否入住」列，请补上这一列' },
    ]);
  });

  it('says where the header should be when none is found', async () => {
    const result = await parseRoster(csv('a,b,c\n1,2,3\n'));
    expect(result.errors[0].message).toMatch(/no header row found/);
  });

  it('refuses files it cannot read, with what to do', async () => {
    const gbk = Buffer.from([0xc2, 0xa5, 0xb6, 0xb0, 0x2c, 0xb7, 0xbf, 0xba, 0xc5, 0x0a]); // 楼栋,房号 in GBK
    const notUtf8 = await rejection(parseRoster({ fileName: 'r.csv', content: gbk }));
    expect(notUtf8.code).toBe(ErrorCode.RosterInvalid);
    expect(notUtf8.message).toContain('CSV UTF-8');
    expect((await rejection(parseRoster({ fileName: 'r.xls', content: Buffer.from('x') }))).message).toContain('.xlsx');
    expect((await rejection(parseRoster({ fileName: 'r.xlsx', content: Buffer.from('楼栋') }))).message).toContain('not an .xlsx');
    expect((await rejection(parseRoster({ fileName: 'r.pdf', content: Buffer.from('%PDF') }))).message).toContain('.xlsx or .csv');
    expect((await rejection(parseRoster(csv('楼栋,房号\n"1栋,101\n')))).message).toMatch(/cannot be read as CSV/);
  });

  it('reads XLSX cells written as numbers, rich text and formulas, from the first sheet only', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名单');
    sheet.addRow(['楼栋', '单元', '房号', '业主姓名', '电话', '是否入住']);
    sheet.addRow([3, 1, 1201, { richText: [{ text: '欧阳' }, { text: '娜娜' }] }, 13812345678, true]);
    sheet.addRow([3, 1, { formula: '1201+1', result: 1202 }, '　李四　', null, 0]);
    workbook.addWorksheet('其他').addRow(['楼栋', '房号', '业主姓名', '是否入住']);
    const content = Buffer.from(await workbook.xlsx.writeBuffer());
    const result = await parseRoster({ fileName: 'R.XLSX', content });
    expect(result.errors).toEqual([]);
    expect(result.households).toEqual([
      { id: '3-1-1201', building: '3', unit: '1', room: '1201', ownerName: '欧阳娜娜', phone: '13812345678', occupied: true },
      { id: '3-1-1202', building: '3', unit: '1', room: '1202', ownerName: '李四', occupied: false },
    ]);
  });
});
