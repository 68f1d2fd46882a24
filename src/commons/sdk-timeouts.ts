/**
 * The time limits of every AWS SDK call the functions make, in one place: the clients apply them
 * (src/commons/clients/sdk-client-config.ts), and the construct sizes the functions' timeouts by
 * them (infra/ws-notify.ts). Nothing here loads the SDK.
 */

export const SDK_TIMEOUTS = {
  /** Establishing the TCP (and TLS) connection, ms. */
  connectionTimeoutMs: 1_000,
  /** One attempt, from the request's start (connection included) to the response's headers, ms. */
  requestTimeoutMs: 2_000,
  /** Attempts of one call, the first included (the SDK's standard retry strategy). */
  maxAttempts: 3,
} as const;

/**
 * The most the standard retry strategy waits between the attempts of one call: at most 1 s before
 * the second attempt and 2 s before the third (its throttling back-off; other errors wait far less).
 */
export const SDK_RETRY_BACKOFF_LIMIT_MS = 3_000;

/** The longest one SDK call can take before it fails (9 s): every attempt timed out, with the longest back-off between them. */
export const SDK_CALL_LIMIT_MS = SDK_TIMEOUTS.maxAttempts * SDK_TIMEOUTS.requestTimeoutMs + SDK_RETRY_BACKOFF_LIMIT_MS;
