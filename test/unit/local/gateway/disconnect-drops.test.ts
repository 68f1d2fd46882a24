import { DisconnectDrops } from '../../../../src/local/gateway/disconnect-drops';

describe('Class: DisconnectDrops', () => {
  describe('Method: drop', () => {
    it('drops when the draw is under the rate, and counts every draw', () => {
      // Prepare
      const draws = [0.3, 0.29, 0.99, 0];
      const drops = new DisconnectDrops({ rate: 0.3, random: () => draws.shift() ?? 1 });

      // Act
      const decisions = [drops.drop(), drops.drop(), drops.drop(), drops.drop()];

      // Assess
      expect(decisions).toEqual([false, true, false, true]);
      expect(drops.counts()).toEqual({ drawn: 4, dropped: 2 });
    });

    it('never drops without options or at rate 0, and always at rate 1', () => {
      // Prepare
      const none = new DisconnectDrops();
      const zero = new DisconnectDrops({ rate: 0, random: () => 0 });
      const all = new DisconnectDrops({ rate: 1 });

      // Act
      const decisions = Array.from({ length: 50 }, () => [none.drop(), zero.drop(), all.drop()]);

      // Assess
      expect(decisions.every(([a, b, c]) => a === false && b === false && c === true)).toBe(true);
      expect(none.counts()).toEqual({ drawn: 0, dropped: 0 });
      expect(zero.counts()).toEqual({ drawn: 50, dropped: 0 });
    });
  });

  describe('Method: set', () => {
    it.each([-0.01, 1.01, Number.NaN])('refuses a rate of %p and keeps the options it had', (rate) => {
      // Prepare
      const drops = new DisconnectDrops({ rate: 1 });

      // Act & Assess
      expect(() => drops.set({ rate })).toThrow(TypeError);
      expect(drops.drop()).toBe(true);
    });
  });
});
