/**
 * Domain errors of ws-notify. SDK and library errors are translated into these at the adapter
 * boundary (src/commons/clients, jwt-verifier.ts), so handlers branch on classes and `code`s,
 * never on SDK internals. Messages never contain a token or other secret.
 */

interface ErrorOptionsWithCause {
  readonly cause?: unknown;
}

/** Base class: every ws-notify error has a stable `code` callers may narrow on. */
export abstract class WsNotifyError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptionsWithCause) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** An environment variable is missing or malformed; thrown at module load, before any event. */
export class ConfigurationError extends WsNotifyError {
  override readonly name = 'ConfigurationError';
  constructor(
    readonly code: 'missing_variable' | 'invalid_variable',
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/** Why a token was rejected. Only logged; clients always get the same `invalid_token` frame. */
export type InvalidTokenCode =
  | 'missing'
  | 'too_long'
  | 'malformed'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'signature_invalid'
  | 'expired'
  | 'not_yet_valid'
  | 'claim_missing'
  | 'claim_invalid'
  | 'lifetime_too_long';

/** A token failed verification. */
export class InvalidTokenError extends WsNotifyError {
  override readonly name = 'InvalidTokenError';
  constructor(
    readonly code: InvalidTokenCode,
    message: string,
    options?: ErrorOptionsWithCause,
  ) {
    super(message, options);
  }
}

/** The verification key could not be obtained (JWKS endpoint down or slow): not the client's fault. */
export class KeyUnavailableError extends WsNotifyError {
  override readonly name = 'KeyUnavailableError';
  readonly code = 'key_unavailable';
}

/** The Management API answered 410: the WebSocket connection no longer exists. */
export class ConnectionGoneError extends WsNotifyError {
  override readonly name = 'ConnectionGoneError';
  readonly code = 'connection_gone';
  constructor(
    readonly connectionId: string,
    options?: ErrorOptionsWithCause,
  ) {
    super(`connection ${connectionId} is gone`, options);
  }
}

/** The Management API refused a message over the 128 KB WebSocket limit (413). */
export class PayloadTooLargeError extends WsNotifyError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'payload_too_large';
}

/** The Management API answered 403: missing rights, or a connection id of another API. */
export class ForbiddenError extends WsNotifyError {
  override readonly name = 'ForbiddenError';
  readonly code = 'forbidden';
}

/** A failure that may succeed when retried: throttling, 5xx, network errors. */
export class TransientError extends WsNotifyError {
  override readonly name = 'TransientError';
  readonly code = 'transient';
}

/** A conditional write found the record deleted, expired or owned by another user since it was read. */
export class ConnectionChangedError extends WsNotifyError {
  override readonly name = 'ConnectionChangedError';
  readonly code = 'connection_changed';
  constructor(
    readonly connectionId: string,
    options?: ErrorOptionsWithCause,
  ) {
    super(`connection ${connectionId} was deleted or changed owner`, options);
  }
}

/** A DynamoDB call of the connection store failed (other than a conditional check). */
export class ConnectionStoreError extends WsNotifyError {
  override readonly name = 'ConnectionStoreError';
  readonly code = 'store_failure';
}

/** A stored connection record does not have the documented shape. */
export class InvalidRecordError extends WsNotifyError {
  override readonly name = 'InvalidRecordError';
  readonly code = 'invalid_record';
}

/** A DynamoDB call of the inbox store failed (other than a conditional check it handles itself). */
export class InboxStoreError extends WsNotifyError {
  override readonly name = 'InboxStoreError';
  readonly code = 'inbox_store_failure';
}

/**
 * Concurrent stores for the same user took every `seq` this store tried: nothing was stored. Worth
 * a retry (the queue redelivers the message).
 */
export class InboxContentionError extends WsNotifyError {
  override readonly name = 'InboxContentionError';
  readonly code = 'inbox_contention';
  constructor(
    readonly userId: string,
    readonly attempts: number,
  ) {
    super(`no free seq for user ${userId} after ${attempts} attempts: other stores for the user took them first`);
  }
}

/** A stored inbox item does not have the documented shape. */
export class InvalidInboxItemError extends WsNotifyError {
  override readonly name = 'InvalidInboxItemError';
  readonly code = 'invalid_inbox_item';
}

/** Entries of an SQS send failed; `retryable` is false when SQS blamed the sender (bad content, too large). */
export class QueueSendError extends WsNotifyError {
  override readonly name = 'QueueSendError';
  readonly code = 'queue_send_failed';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptionsWithCause,
  ) {
    super(message, options);
  }
}

/** Why a queue message can never succeed; sent as the `reason` attribute of its dead-letter copy. */
export type PoisonReason = 'invalid_json' | 'invalid_body' | 'payload_too_large' | 'rejected_by_queue';

/** A queue message that can never succeed: the consumer moves it to its DLQ instead of retrying. */
export class PoisonMessageError extends WsNotifyError {
  override readonly name = 'PoisonMessageError';
  readonly code = 'poison_message';
  constructor(
    readonly reason: PoisonReason,
    message: string,
    options?: ErrorOptionsWithCause,
  ) {
    super(message, options);
  }
}
