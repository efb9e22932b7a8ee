import { AppError, ErrorCode } from '../../common/app-error';
import { rosterRows } from '../../../test/fixtures/survey/roster-fixture';
import { drawSample, newSeed, requiredSampleSize, SEED_LIMIT } from './sampling';

/** 2,000 generated households, 1,714 of them occupied (every 7th is empty). */
const households = rosterRows(2000).map((r) => ({ id: `${r.building}-${r.unit}-${r.room}`, occupied: r.occupied === '是' }));
const occupiedIds = households.filter((h) => h.occupied).map((h) => h.id);

describe('requiredSampleSize', () => {
  it('is ceil(minimumShare × eligible), at least minimumCount', () => {
    expect(requiredSampleSize({ eligible: 1714, minimumShare: 0.2 })).toBe(343); // 342.8 → 343
    expect(requiredSampleSize({ eligible: 1715, minimumShare: 0.2 })).toBe(343); // exactly 343
    expect(requiredSampleSize({ eligible: 100, minimumShare: 0.07 })).toBe(7); // not 8 from 7.000000000000001
    expect(requiredSampleSize({ eligible: 10, minimumShare: 0.2, minimumCount: 5 })).toBe(5);
    expect(requiredSampleSize({ eligible: 0, minimumShare: 0.2 })).toBe(0);
  });

  it('refuses a share written as a percentage', () => {
    expect(() => requiredSampleSize({ eligible: 10, minimumShare: 20 })).toThrow(/between 0 and 1/);
  });
});

describe('drawSample', () => {
  it('draws 20% of the occupied households, only occupied ones, sorted', () => {
    const draw = drawSample({ households, seed: 20261101, minimumShare: 0.2 });
    expect(draw).toMatchObject({ seed: 20261101, eligible: 1714, required: 343, fromFresh: 343, fromPrevious: 0, shortfall: 0 });
    expect(draw.sample).toHaveLength(343);
    expect(new Set(draw.sample).size).toBe(343);
    expect(draw.sample.every((id) => occupiedIds.includes(id))).toBe(true);
    expect(draw.sample).toEqual([...draw.sample].sort());
  });

  it('gives the same sample for the same seed, whatever the roster order, and another for another seed', () => {
    const a = drawSample({ households, seed: 7, minimumShare: 0.2 });
    const b = drawSample({ households: [...households].reverse(), seed: 7, minimumShare: 0.2 });
    const c = drawSample({ households, seed: 8, minimumShare: 0.2 });
    expect(b.sample).toEqual(a.sample);
    expect(c.sample).not.toEqual(a.sample);
  });

  it('is pinned: an auditor re-running seed 42 on this roster gets exactly these households', () => {
    const small = households.slice(0, 30);
    expect(drawSample({ households: small, seed: 42, minimumShare: 0.2 }).sample).toMatchInlineSnapshot(`
[
  "1栋-1-203",
  "1栋-1-301",
  "1栋-1-401",
  "1栋-1-501",
  "1栋-1-702",
]
`);
  });

  it('never draws an excluded household', () => {
    const excluded = new Set(occupiedIds.slice(0, 500));
    const draw = drawSample({ households, seed: 1, minimumShare: 0.2, excluded });
    expect(draw.eligible).toBe(1214);
    expect(draw.required).toBe(243); // ceil(242.8)
    expect(draw.sample.some((id) => excluded.has(id))).toBe(false);
  });

  it('prefers households not sampled last round and takes previous ones only when needed', () => {
    const previouslySampled = new Set(drawSample({ households, seed: 1, minimumShare: 0.2 }).sample);
    const next = drawSample({ households, seed: 2, minimumShare: 0.2, previouslySampled });
    expect(next).toMatchObject({ fromFresh: 343, fromPrevious: 0 });
    expect(next.sample.some((id) => previouslySampled.has(id))).toBe(false);

    // Only 1,714 − 1,600 = 114 fresh households: all of them, then 229 from the previous ones.
    const many = new Set(occupiedIds.slice(0, 1600));
    const forced = drawSample({ households, seed: 3, minimumShare: 0.2, previouslySampled: many });
    expect(forced).toMatchObject({ required: 343, fromFresh: 114, fromPrevious: 229 });
    for (const id of occupiedIds.slice(1600)) expect(forced.sample).toContain(id);
  });

  it('applies minimumCount and reports a shortfall when there are not enough households', () => {
    const few = households.slice(0, 10); // 8 occupied
    expect(drawSample({ households: few, seed: 5, minimumShare: 0.2, minimumCount: 5 })).toMatchObject({ required: 5, shortfall: 0 });
    const short = drawSample({ households: few, seed: 5, minimumShare: 0.2, minimumCount: 12 });
    expect(short).toMatchObject({ eligible: 8, required: 12, shortfall: 4 });
    expect(short.sample).toHaveLength(8);
  });

  it('refuses a bad seed or a duplicated household', () => {
    const err = (fn: () => unknown): AppError => {
      try {
        fn();
      } catch (e) {
        return e as AppError;
      }
      throw new Error('expected an error');
    };
    expect(err(() => drawSample({ households, seed: -1, minimumShare: 0.2 })).code).toBe(ErrorCode.BadRequest);
    expect(err(() => drawSample({ households, seed: 1.5, minimumShare: 0.2 })).code).toBe(ErrorCode.BadRequest);
    expect(err(() => drawSample({ households: [households[1], households[1]], seed: 1, minimumShare: 0.2 })).message).toMatch(/listed twice/);
  });
});

describe('newSeed', () => {
  it('is an unsigned 32-bit integer', () => {
    for (let i = 0; i < 20; i++) {
      const s = newSeed();
      expect(Number.isInteger(s) && s >= 0 && s < SEED_LIMIT).toBe(true);
    }
  });
});
