import type { InvocationResult } from '../functions/invocation';
import { isRecord } from '../is-record';

/** What Lambda makes of an invocation's result for an SQS batch. */
export type BatchOutcome =
  /** Every message is deleted. */
  | { readonly kind: 'success' }
  /** The listed messages stay in the queue (they reappear after the visibility timeout); the others are deleted. */
  | { readonly kind: 'partial'; readonly failed: ReadonlySet<string> }
  /** No message is deleted. */
  | { readonly kind: 'failure'; readonly reason: string };

const failure = (reason: string): BatchOutcome => ({ kind: 'failure', reason });

/**
 * Lambda's rules for an SQS event source mapping:
 * - a function error (thrown, timed out, crashed) fails the whole batch;
 * - without `ReportBatchItemFailures`, any successful result deletes the whole batch;
 * - with it, a null result, a result without `batchItemFailures`, or an empty or null list is a
 *   complete success; the listed `itemIdentifier`s are the failures; and a malformed response (not
 *   an object, a list that is not a list, an item without a string `itemIdentifier`, an empty one,
 *   or one that names no message of the batch) is a complete failure.
 */
export function interpretBatchResult(result: InvocationResult, messageIds: readonly string[], reportBatchItemFailures: boolean): BatchOutcome {
  if (result.status === 'error') return failure(`${result.errorType}: ${result.errorMessage}`);
  if (!reportBatchItemFailures) return { kind: 'success' };
  const payload = result.payload;
  if (payload === null || payload === undefined) return { kind: 'success' };
  if (!isRecord(payload)) return failure('invalid batch response: not a JSON object');
  const items = payload.batchItemFailures;
  if (items === null || items === undefined) return { kind: 'success' };
  if (!Array.isArray(items)) return failure('invalid batch response: batchItemFailures is not a list');
  if (items.length === 0) return { kind: 'success' };
  const inBatch = new Set(messageIds);
  const failed = new Set<string>();
  for (const item of items as unknown[]) {
    if (!isRecord(item)) return failure('invalid batch response: an item of batchItemFailures is not an object');
    const id = item.itemIdentifier;
    if (typeof id !== 'string' || id === '') return failure('invalid batch response: an itemIdentifier is missing, null or empty');
    if (!inBatch.has(id)) return failure(`invalid batch response: itemIdentifier ${JSON.stringify(id)} is not a message of the batch`);
    failed.add(id);
  }
  return { kind: 'partial', failed };
}
