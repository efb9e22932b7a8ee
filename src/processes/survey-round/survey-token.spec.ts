import { neutraliseFormula } from '../../common/export-cells.util';
import { surveyToken } from './survey-round.service';

describe('surveyToken', () => {
  it('never starts with a character a CSV or XLSX export would quote (the owner would type the quote)', () => {
    // 0xF8 → first six bits 111110 → '-'; 0xFC → 111111 → '_'.
    const draws = [Buffer.alloc(24, 0xf8), Buffer.alloc(24, 0xfc), Buffer.alloc(24, 0x41)];
    const asked: number[] = [];
    const token = surveyToken((n) => {
      asked.push(n);
      return draws.shift() as Buffer;
    });
    expect(asked).toEqual([24, 24, 24]);
    expect(token).toBe(Buffer.alloc(24, 0x41).toString('base64url'));
    expect(token).toHaveLength(32);
    expect(neutraliseFormula(token)).toBe(token);
  });
});
