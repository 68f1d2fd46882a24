import fc from 'fast-check';
import { RecentIds } from '../../../src/client/dedupe';

describe('Class: RecentIds', () => {
  describe('Method: add', () => {
    it('is true for a new id and false for one seen', () => {
      const recent = new RecentIds();

      expect(recent.add('a')).toBe(true);
      expect(recent.add('b')).toBe(true);
      expect(recent.add('a')).toBe(false);
    });

    it('forgets the oldest ids beyond its capacity', () => {
      const recent = new RecentIds(3);
      for (const id of ['a', 'b', 'c', 'd']) recent.add(id);

      expect(recent.add('b')).toBe(false);
      expect(recent.add('d')).toBe(false);
      expect(recent.add('a')).toBe(true);
    });

    it('recognises any id among the last `capacity` distinct ones, whatever the sequence', () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (ids, capacity) => {
          const recent = new RecentIds(capacity);
          const remembered: string[] = [];
          for (const id of ids) {
            const seen = remembered.includes(id);
            expect(recent.add(id)).toBe(!seen);
            if (!seen) {
              remembered.push(id);
              if (remembered.length > capacity) remembered.shift();
            }
          }
        }),
      );
    });

    it('keeps at most `capacity` ids', () => {
      const recent = new RecentIds(1000);
      for (let index = 0; index < 5000; index += 1) recent.add(`id-${index}`);

      // the 1000 most recent are remembered, the one before them is not
      expect(recent.add('id-4000')).toBe(false);
      expect(recent.add('id-3999')).toBe(true);
    });
  });
});
