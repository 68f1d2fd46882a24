import fc from 'fast-check';
import { Backoff, jitter } from '../../../src/client/backoff';

/** A random source that answers `values` in turn. */
const sequence = (values: number[]) => {
  let index = 0;
  return () => values[index++ % values.length]!;
};

describe('Class: Backoff', () => {
  describe('Method: next', () => {
    it('doubles the ceiling from 1 s up to 30 s', () => {
      const backoff = new Backoff(() => 1 - 1e-9);

      const delays = Array.from({ length: 8 }, () => backoff.next());

      expect(delays).toEqual([999, 1999, 3999, 7999, 15_999, 29_999, 29_999, 29_999]);
    });

    it('draws each delay uniformly from [0, ceiling): full jitter', () => {
      const backoff = new Backoff(sequence([0, 0.25, 0.5, 0.75]));

      const delays = Array.from({ length: 4 }, () => backoff.next());

      expect(delays).toEqual([0, 500, 2000, 6000]);
    });

    it('spreads clients that fail together over the whole window', () => {
      // 200 clients with evenly spread random values: their first retries fill [0, 1000)
      const firsts = Array.from({ length: 200 }, (_, index) => new Backoff(() => index / 200).next());
      const buckets = [0, 0, 0, 0];
      for (const delay of firsts) buckets[Math.floor(delay / 250)]! += 1;

      expect(Math.min(...firsts)).toBe(0);
      expect(Math.max(...firsts)).toBe(995);
      expect(buckets).toEqual([50, 50, 50, 50]);
    });

    it('stays within [0, min(30 s, 1 s × 2^n)) for any random values', () => {
      fc.assert(
        fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 20 }), (values) => {
          const backoff = new Backoff(sequence(values));
          values.forEach((_, attempt) => {
            const delay = backoff.next();
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThan(Math.min(30_000, 1000 * 2 ** attempt));
            expect(Number.isInteger(delay)).toBe(true);
          });
        }),
      );
    });
  });

  describe('Method: reset', () => {
    it('starts over at the first step', () => {
      const backoff = new Backoff(() => 1 - 1e-9);
      backoff.next();
      backoff.next();

      backoff.reset();

      expect(backoff.next()).toBe(999);
    });
  });
});

describe('Function: jitter', () => {
  it('maps [0, 1) onto [low, high)', () => {
    expect(jitter(() => 0, 0.7, 0.9)).toBeCloseTo(0.7);
    expect(jitter(() => 0.5, 0.7, 0.9)).toBeCloseTo(0.8);
    expect(jitter(() => 1 - 1e-9, 0.7, 0.9)).toBeLessThan(0.9);
  });
});
