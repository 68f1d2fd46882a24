import { InflightWork } from '../../../../src/local/gateway/inflight';
import { deferred } from '../../../fixtures/gateway/test-function-invoker';

describe('Class: InflightWork', () => {
  describe('Method: idle', () => {
    it('resolves at once when nothing is in flight', async () => {
      await expect(new InflightWork().idle()).resolves.toBeUndefined();
    });

    it('waits for tracked work, including work tracked while waiting', async () => {
      // Prepare
      const inflight = new InflightWork();
      const first = deferred();
      const second = deferred();
      const order: string[] = [];
      inflight.track(first.promise.then(() => inflight.track(second.promise.then(() => order.push('second')))));

      // Act
      const idle = inflight.idle().then(() => order.push('idle'));
      first.resolve();
      await new Promise((resolve) => setImmediate(resolve));
      expect(order).toEqual([]);
      expect(inflight.size).toBe(1);
      second.resolve();
      await idle;

      // Assess
      expect(order).toEqual(['second', 'idle']);
      expect(inflight.size).toBe(0);
    });
  });
});
