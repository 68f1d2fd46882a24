import type { Message } from '@aws-sdk/client-sqs';
import { SqsDuplicates, validateSqsDuplicateOptions, type RedeliveringQueue } from '../../../../src/local/services/sqs-duplicates';
import type { DeleteFailure } from '../../../../src/local/services/sqs-engine';

/** A queue that answers each receive with the next list given, and records deletes and copies. */
function fakeQueue(receives: Message[][], deleteFailures: DeleteFailure[] = []) {
  const redelivered: Message[] = [];
  const deleted: string[] = [];
  const queue: RedeliveringQueue = {
    receive: () => Promise.resolve(receives.shift() ?? []),
    deleteBatch: (receiptHandles) => {
      deleted.push(...receiptHandles);
      return Promise.resolve(deleteFailures);
    },
    redeliver: (message) => void redelivered.push(message),
  };
  return { queue, redelivered, deleted };
}

const message = (id: string, receiveCount = 1, receipt = `${id}-r${receiveCount}`): Message => ({
  MessageId: id,
  ReceiptHandle: receipt,
  Body: `{"n":"${id}"}`,
  Attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1700000000000' },
});

/** A random source that returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length] ?? 0;
}

const RECEIVE = { maxMessages: 10, waitTimeSeconds: 0 };

describe('Class: SqsDuplicates', () => {
  describe('Method: wrap', () => {
    it('puts a concurrent copy back as soon as the message is received, for the fraction drawn', async () => {
      // Prepare: draws 0.05 (< 0.1: copy), 0.5 (no copy), 0.09 (copy).
      const { queue, redelivered } = fakeQueue([[message('a'), message('b'), message('c')]]);
      const duplicates = new SqsDuplicates();
      duplicates.set({ rate: 0.1, timing: 'concurrent', random: sequence(0.05, 0.5, 0.09) });

      // Act
      const received = await duplicates.wrap(queue).receive(RECEIVE);

      // Assess: the consumer gets the messages unchanged; copies of a and c are back in the queue at once.
      expect(received.map((m) => m.MessageId)).toEqual(['a', 'b', 'c']);
      expect(redelivered).toEqual([received[0], received[2]]);
      expect(duplicates.counts()).toEqual({ drawn: 3, concurrent: 2, later: 0 });
    });

    it('puts a later copy back only once the first copy is deleted, and none when the delete failed', async () => {
      // Prepare
      const { queue, redelivered } = fakeQueue([[message('a'), message('b')]], [{ index: 1, code: 'ReceiptHandleIsInvalid' }]);
      const duplicates = new SqsDuplicates();
      duplicates.set({ rate: 1, timing: 'later' });
      const wrapped = duplicates.wrap(queue);

      // Act
      const received = await wrapped.receive(RECEIVE);
      const beforeDelete = redelivered.length;
      await wrapped.deleteBatch(['a-r1', 'b-r1']);

      // Assess
      expect(beforeDelete).toBe(0);
      expect(redelivered).toEqual([received[0]]);
      expect(duplicates.counts()).toEqual({ drawn: 2, concurrent: 0, later: 1 });
    });

    it('picks concurrent or later for each copy with timing both', async () => {
      // Prepare: a draws 0 (copy) then 0.2 (< 0.5: concurrent); b draws 0 (copy) then 0.7 (later).
      const { queue, redelivered } = fakeQueue([[message('a'), message('b')]]);
      const duplicates = new SqsDuplicates();
      duplicates.set({ rate: 0.5, random: sequence(0, 0.2, 0, 0.7) });
      const wrapped = duplicates.wrap(queue);

      // Act
      await wrapped.receive(RECEIVE);
      const atReceive = redelivered.map((m) => m.MessageId);
      await wrapped.deleteBatch(['a-r1', 'b-r1']);

      // Assess
      expect(atReceive).toEqual(['a']);
      expect(redelivered.map((m) => m.MessageId)).toEqual(['a', 'b']);
      expect(duplicates.counts()).toEqual({ drawn: 2, concurrent: 1, later: 1 });
    });

    it('never copies a copy, nor a message received again after a failure', async () => {
      // Prepare: a is copied; its copy arrives (receive count 1 again), then a comes back after a failure.
      const { queue, redelivered } = fakeQueue([[message('a')], [message('a', 1, 'a-copy')], [message('a', 2)]]);
      const duplicates = new SqsDuplicates();
      duplicates.set({ rate: 1, timing: 'concurrent' });
      const wrapped = duplicates.wrap(queue);

      // Act
      await wrapped.receive(RECEIVE);
      await wrapped.receive(RECEIVE);
      await wrapped.receive(RECEIVE);

      // Assess
      expect(redelivered).toHaveLength(1);
      expect(duplicates.counts()).toEqual({ drawn: 1, concurrent: 1, later: 0 });
    });

    it('drops a later copy when the message comes back before its first delete (its first receive failed)', async () => {
      // Prepare
      const { queue, redelivered } = fakeQueue([[message('a')], [message('a', 2)]]);
      const duplicates = new SqsDuplicates();
      duplicates.set({ rate: 1, timing: 'later' });
      const wrapped = duplicates.wrap(queue);

      // Act: the first receive's batch failed, the message came back, and this receive's copy is deleted.
      await wrapped.receive(RECEIVE);
      await wrapped.receive(RECEIVE);
      await wrapped.deleteBatch(['a-r2', 'a-r1']);

      // Assess
      expect(redelivered).toEqual([]);
    });

    it('copies nothing with no options, at rate 0, or once stopped, and passes deletes through', async () => {
      // Prepare
      const { queue, redelivered, deleted } = fakeQueue([[message('a')], [message('b')], [message('c')]]);
      const duplicates = new SqsDuplicates();
      const wrapped = duplicates.wrap(queue);

      // Act
      await wrapped.receive(RECEIVE);
      duplicates.set({ rate: 0 });
      await wrapped.receive(RECEIVE);
      duplicates.set({ rate: 1 });
      duplicates.set(undefined);
      await wrapped.receive(RECEIVE);
      await wrapped.deleteBatch(['a-r1', 'b-r1', 'c-r1']);

      // Assess
      expect(redelivered).toEqual([]);
      expect(deleted).toEqual(['a-r1', 'b-r1', 'c-r1']);
      expect(duplicates.counts()).toEqual({ drawn: 1, concurrent: 0, later: 0 });
    });
  });
});

describe('Function: validateSqsDuplicateOptions', () => {
  it.each([-0.1, 1.01, Number.NaN])('refuses a rate of %p', (rate) => {
    expect(() => validateSqsDuplicateOptions({ rate })).toThrow(TypeError);
  });

  it('refuses an unknown timing and accepts the three known ones', () => {
    expect(() => validateSqsDuplicateOptions({ rate: 0.5, timing: 'sometimes' as 'later' })).toThrow('sqsDuplicates.timing must be concurrent, later or both, got "sometimes"');
    for (const timing of ['concurrent', 'later', 'both'] as const) expect(() => validateSqsDuplicateOptions({ rate: 1, timing })).not.toThrow();
  });
});
