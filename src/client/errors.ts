/**
 * The errors a NotifyClient reports through its 'error' event. `code` is either the code of an
 * error frame the service sent, or one of the client's own; messages never contain a token.
 */
import { ERROR_CODES, type ErrorCode } from '../commons/error-codes';

/** Codes of the service's error frames (the service's own list: one source for both). */
export type ProtocolErrorCode = ErrorCode;

/**
 * The client's own codes:
 * - `token_unavailable`: getToken() threw, rejected, or did not return a non-empty string;
 * - `handshake_failed`: connections close before they open, even with a fresh token (a refused
 *   handshake and an unreachable service look the same to a WebSocket client);
 * - `no_reply`: the service did not answer a request in time; the connection is replaced;
 * - `invalid_frame`: the service sent a frame that is not a valid ws-notify frame (ignored);
 * - `cursor_store_failed`: the cursor store could not load or save the position;
 * - `listener_failed`: an event listener of the application threw (the error is the `cause`).
 */
export type ClientErrorCode =
  | 'token_unavailable'
  | 'handshake_failed'
  | 'no_reply'
  | 'invalid_frame'
  | 'cursor_store_failed'
  | 'listener_failed';

export type NotifyErrorCode = ProtocolErrorCode | ClientErrorCode;

const PROTOCOL_ERROR_CODES: ReadonlySet<string> = new Set<string>(ERROR_CODES);

export function isProtocolErrorCode(code: unknown): code is ProtocolErrorCode {
  return typeof code === 'string' && PROTOCOL_ERROR_CODES.has(code);
}

/** Everything the client reports; narrow on `code`. */
export class NotifyClientError extends Error {
  override readonly name = 'NotifyClientError';

  constructor(
    readonly code: NotifyErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
