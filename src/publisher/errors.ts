/**
 * Errors of the publisher. Each has a stable `code` to narrow on; none carries the notification's
 * `data`.
 */
import { WsNotifyError } from '../commons/errors';

/** Why a notification was refused before anything was sent. */
export type InvalidNotificationCode =
  /** `userId` is not a string of 1 to 128 characters. */
  | 'invalid_user_id'
  /** `connectionId` is not a string of 1 to 128 characters. */
  | 'invalid_connection_id'
  /** The given `id` is not a string of 1 to 128 characters. */
  | 'invalid_id'
  /** `data` has no JSON form (undefined, a function, a BigInt, a cycle) or holds NaN or ±Infinity. */
  | 'invalid_data'
  /** The largest frame a client can receive for it would exceed a WebSocket message (131,072 bytes). */
  | 'notification_too_large';

export interface InvalidNotificationDetails {
  readonly cause?: unknown;
  /** `notifyUsers`: the position of the refused entry in the array given. */
  readonly entryIndex?: number;
  /** `notification_too_large`: the size of that frame, in bytes. */
  readonly frameBytes?: number;
}

/** The notification breaks a rule of the queue body or the WebSocket limit; nothing was sent. */
export class InvalidNotificationError extends WsNotifyError {
  override readonly name = 'InvalidNotificationError';
  readonly entryIndex: number | undefined;
  readonly frameBytes: number | undefined;

  constructor(
    readonly code: InvalidNotificationCode,
    message: string,
    details: InvalidNotificationDetails = {},
  ) {
    super(message, { cause: details.cause });
    this.entryIndex = details.entryIndex;
    this.frameBytes = details.frameBytes;
  }
}

/**
 * SendMessage failed after the SQS client's own retries. `id` is the notification id that was in
 * the message: send again with `{ id }` and clients recognise a copy that did arrive.
 */
export class NotifySendError extends WsNotifyError {
  override readonly name = 'NotifySendError';
  readonly code = 'send_failed';

  constructor(
    readonly id: string,
    readonly queueUrl: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`SendMessage to ${queueUrl} failed for notification ${id} (${describeCause(options?.cause)})`, options);
  }
}

/** A `notifyUsers` entry that was sent. */
export interface SentNotification {
  /** Position in the array given to `notifyUsers`. */
  readonly index: number;
  readonly userId: string;
  readonly id: string;
  /** The SQS message id. */
  readonly messageId: string;
}

/** A `notifyUsers` entry that was not sent, and why. */
export interface FailedNotification {
  /** Position in the array given to `notifyUsers`. */
  readonly index: number;
  readonly userId: string;
  /** The notification id it was sent with: send it again with this id. */
  readonly id: string;
  /**
   * The entry's SQS error code (`InternalError`, `InvalidMessageContents`, …), or the SDK error's
   * name when the whole SendMessageBatch request failed.
   */
  readonly code: string;
  readonly message: string;
  /** SQS blamed the entry itself (SenderFault): sending it again as it is cannot succeed. */
  readonly senderFault: boolean;
  /** SendMessageBatch requests that carried the entry. */
  readonly attempts: number;
}

/** Entries listed in an error message before "and N more". */
const LISTED_FAILURES = 3;

/** Some `notifyUsers` entries were not sent: `failed` says which and why, `sent` holds the others. */
export class NotifyBatchError extends WsNotifyError {
  override readonly name = 'NotifyBatchError';
  readonly code = 'batch_send_failed';

  constructor(
    readonly sent: readonly SentNotification[],
    readonly failed: readonly FailedNotification[],
  ) {
    const listed = failed
      .slice(0, LISTED_FAILURES)
      .map((entry) => `#${entry.index} (user ${JSON.stringify(entry.userId)}): ${entry.code} after ${entry.attempts} ${entry.attempts === 1 ? 'attempt' : 'attempts'}`);
    const more = failed.length > LISTED_FAILURES ? `, and ${failed.length - LISTED_FAILURES} more` : '';
    super(`${failed.length} of ${sent.length + failed.length} notifications were not sent: ${listed.join('; ')}${more}`);
  }
}

/** Why `NotifyPublisher.forStage` could not find a stage's queues. */
export type StageEndpointsCode =
  /** The stage name cannot name a stage (letters, digits, `-` and `_` only). */
  | 'invalid_stage_name'
  /** Neither a running local stack nor a deployed stage left an endpoints file. */
  | 'endpoints_not_found'
  /** The local stack that wrote the endpoints file no longer runs, and the stage is not deployed. */
  | 'local_stack_not_running'
  /** The endpoints file is not JSON, or lacks the NotifyUser or NotifyConnection queue URL. */
  | 'invalid_endpoints_file';

export class StageEndpointsError extends WsNotifyError {
  override readonly name = 'StageEndpointsError';

  constructor(
    readonly code: StageEndpointsCode,
    readonly stage: string,
    /** The endpoints file concerned (absolute path), when there is one. */
    readonly file: string | undefined,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
