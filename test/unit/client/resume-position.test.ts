import fc from 'fast-check';
import { MAX_AHEAD, ResumePosition, TAIL } from '../../../src/client/resume-position';

function position(cursor: number | null) {
  const saves: number[] = [];
  return { position: new ResumePosition(cursor, (seq) => saves.push(seq)), saves };
}

describe('Class: ResumePosition', () => {
  it('starts at the tail when nothing is saved, and at the saved position otherwise', () => {
    expect(position(null).position.after).toBe(TAIL);
    expect(position(0).position.after).toBe(0);
    expect(position(42).position.after).toBe(42);
  });

  describe('Method: received', () => {
    it('moves over contiguous sequence numbers, and waits below a missing one', () => {
      const { position: p, saves } = position(0);

      p.received(1);
      p.received(3);
      expect(p.after).toBe(1);
      expect(p.hasGap).toBe(true);
      p.received(2);

      expect(p.after).toBe(3);
      expect(p.hasGap).toBe(false);
      expect(saves).toEqual([1, 3]);
    });

    it('ignores sequence numbers at or below the position', () => {
      const { position: p, saves } = position(5);

      p.received(5);
      p.received(2);

      expect(p.after).toBe(5);
      expect(saves).toEqual([]);
    });

    it('ends, for any arrival order with copies, at the highest seq below which everything arrived', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 80 }), (arrivals) => {
          const { position: p, saves } = position(0);
          for (const seq of arrivals) p.received(seq);
          let contiguous = 0;
          while (arrivals.includes(contiguous + 1)) contiguous += 1;
          expect(p.after).toBe(contiguous);
          expect(saves).toEqual([...saves].sort((a, b) => a - b));
        }),
      );
    });

    it('remembers at most MAX_AHEAD sequence numbers above a gap, forgetting the highest', () => {
      const { position: p } = position(0);
      for (let seq = 2; seq <= MAX_AHEAD + 2; seq += 1) p.received(seq);

      p.received(1);

      // MAX_AHEAD + 2 was forgotten: a resume from MAX_AHEAD + 1 replays it, and its id marks it as a copy
      expect(p.after).toBe(MAX_AHEAD + 1);
      expect(p.hasGap).toBe(false);
    });
  });

  describe('Method: confirm', () => {
    it('moves to the confirmed seq, then over the ones received above it', () => {
      const { position: p } = position(0);
      p.received(6);
      p.received(7);

      p.confirm(5);

      expect(p.after).toBe(7);
      expect(p.hasGap).toBe(false);
    });

    it('never moves back', () => {
      const { position: p } = position(10);
      p.confirm(4);
      expect(p.after).toBe(10);
    });
  });

  describe('Method: settle', () => {
    it('moves from the tail to the inbox latest, and over what arrived above it meanwhile', () => {
      const { position: p, saves } = position(null);
      p.received(8);
      expect(p.hasGap).toBe(false);

      expect(p.settle(TAIL, 7)).toBe(false);

      expect(p.after).toBe(8);
      expect(saves).toEqual([8]);
    });

    it('moves back to the inbox latest when it is behind the saved position, and says so', () => {
      const { position: p, saves } = position(500);

      expect(p.settle(500, 3)).toBe(true);

      expect(p.after).toBe(3);
      expect(saves).toEqual([3]);
    });

    it('moves forward to latest otherwise', () => {
      const { position: p } = position(2);
      expect(p.settle(2, 9)).toBe(false);
      expect(p.after).toBe(9);
    });
  });
});
