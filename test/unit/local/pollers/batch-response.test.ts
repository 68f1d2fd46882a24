import type { InvocationResult } from '../../../../src/local/functions/invocation';
import { interpretBatchResult } from '../../../../src/local/pollers/batch-response';

const ids = ['m1', 'm2', 'm3'];
const ok = (payload: unknown): InvocationResult => ({ status: 'ok', payload, durationMs: 1, coldStart: false });

describe('Function: interpretBatchResult', () => {
  describe('with ReportBatchItemFailures', () => {
    it.each([
      ['a null result', null],
      ['no batchItemFailures', { statusCode: 200 }],
      ['a null list', { batchItemFailures: null }],
      ['an empty list', { batchItemFailures: [] }],
    ])('treats %s as a complete success', (_name, payload) => {
      // Act & Assess
      expect(interpretBatchResult(ok(payload), ids, true)).toEqual({ kind: 'success' });
    });

    it('keeps only the listed messages', () => {
      // Act
      const outcome = interpretBatchResult(ok({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] }), ids, true);

      // Assess
      expect(outcome).toEqual({ kind: 'partial', failed: new Set(['m2', 'm3']) });
    });

    it.each([
      ['a result that is not an object', 'done', /not a JSON object/],
      ['a list that is not a list', { batchItemFailures: 'm1' }, /not a list/],
      ['an item that is not an object', { batchItemFailures: ['m1'] }, /is not an object/],
      ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }, /missing, null or empty/],
      ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }, /missing, null or empty/],
      ['a misspelt key', { batchItemFailures: [{ itemIdentifer: 'm1' }] }, /missing, null or empty/],
      ['an id that is not in the batch', { batchItemFailures: [{ itemIdentifier: 'm9' }] }, /"m9" is not a message of the batch/],
    ])('treats %s as a complete failure', (_name, payload, reason) => {
      // Act
      const outcome = interpretBatchResult(ok(payload), ids, true);

      // Assess
      expect(outcome.kind).toBe('failure');
      expect(outcome.kind === 'failure' ? outcome.reason : '').toMatch(reason);
    });
  });

  it('ignores the result without ReportBatchItemFailures: any success deletes the whole batch', () => {
    // Act & Assess
    expect(interpretBatchResult(ok({ batchItemFailures: [{ itemIdentifier: 'm1' }] }), ids, false)).toEqual({ kind: 'success' });
    expect(interpretBatchResult(ok('not even an object'), ids, false)).toEqual({ kind: 'success' });
  });

  it.each([true, false])('fails the whole batch on a function error or timeout (ReportBatchItemFailures %s)', (report) => {
    // Prepare
    const timeout: InvocationResult = { status: 'error', errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 3.00 seconds', durationMs: 3000, coldStart: false };

    // Act & Assess
    expect(interpretBatchResult(timeout, ids, report)).toEqual({ kind: 'failure', reason: 'Sandbox.Timedout: Task timed out after 3.00 seconds' });
  });
});
