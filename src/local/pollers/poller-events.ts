/** What the queue pollers report to the local runtime. */

export interface PollerLogEntry {
  readonly mappingId: string;
  readonly functionId: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
}

/** One batch handed to the function and what became of its messages. */
export interface PollerBatchEvent {
  readonly mappingId: string;
  readonly functionId: string;
  readonly queueId: string;
  readonly messageIds: readonly string[];
  /** `success`: all deleted; `partial`: only `failedMessageIds` kept; `failure`: none deleted. */
  readonly outcome: 'success' | 'partial' | 'failure';
  /** Messages left in the queue to be received again after the visibility timeout. */
  readonly failedMessageIds: readonly string[];
  /** Why the whole batch failed (function error, timeout, invalid batch response). */
  readonly reason?: string;
  /** Messages that should have been deleted but could not be (they will be received again). */
  readonly deleteFailures: number;
  /** From dispatch to the end of the deletes. */
  readonly durationMs: number;
  /** Epoch milliseconds of the end of the batch. */
  readonly timestamp: number;
}
