/** Limits and fixed values of the ws-notify protocol (docs/protocol.md). */

/** Tokens longer than this are rejected before they are parsed. */
export const MAX_TOKEN_LENGTH = 4096;

/** Clock tolerance of the JWT verifier for `nbf` and `iat`, in seconds (at most 30 s); `exp` has none. */
export const JWT_CLOCK_TOLERANCE_SECONDS = 30;

/** Longest a token may live (`exp` − `iat`) unless its stage says otherwise: 24 h. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/** Mode `action`: how long a connection may stay pending unless its stage says otherwise. */
export const DEFAULT_AUTHORIZE_DEADLINE_SECONDS = 30;

/** Bounds of a stage's maximum token lifetime: one second to one year. */
export const MAX_TOKEN_LIFETIME_BOUNDS = { min: 1, max: 31_536_000 } as const;

/** The most connections one user may hold unless its stage says otherwise. */
export const DEFAULT_MAX_CONNECTIONS_PER_USER = 20;

/** Bounds of a stage's maximum of connections per user. */
export const MAX_CONNECTIONS_PER_USER_BOUNDS = { min: 1, max: 10_000 } as const;

/** The failed `authorize` that reaches this count is answered with `too_many_attempts` and disconnected. */
export const MAX_FAILED_AUTHORIZE_ATTEMPTS = 3;

/** API Gateway's WebSocket message limit: 128 KB = 131,072 bytes. */
export const MAX_WEBSOCKET_MESSAGE_BYTES = 131_072;

/** API Gateway closes a WebSocket connection after 2 hours at the latest. */
export const MAX_CONNECTION_DURATION_SECONDS = 2 * 60 * 60;

/** Margin after the maximum connection duration before DynamoDB may expire a record. */
export const CONNECTION_TTL_MARGIN_SECONDS = 15 * 60;

/** Name of the sparse index of connection records by user id (docs/architecture.md). */
export const DEFAULT_USER_INDEX_NAME = 'byUser';

/** SQS SendMessageBatch: at most 10 entries… */
export const SQS_MAX_BATCH_ENTRIES = 10;

/** …and at most 256 KiB of message bodies per request. */
export const SQS_MAX_BATCH_BYTES = 262_144;

/** Longest user id (the token's `sub`), in characters. */
export const MAX_USER_ID_LENGTH = 128;

/** Longest connection id accepted in a queue body, in characters. */
export const MAX_CONNECTION_ID_LENGTH = 128;

/** Longest notification id accepted in a queue body, in characters. */
export const MAX_NOTIFICATION_ID_LENGTH = 128;

/** Longest `name` of a ping, in characters. */
export const MAX_PING_NAME_LENGTH = 100;

/** Name of the inbox table's local secondary index by notification id (docs/architecture.md "Inbox"). */
export const DEFAULT_INBOX_ID_INDEX_NAME = 'byId';

/** The stage setting `inboxRetentionSeconds` when a stage does not set it: 24 hours. */
export const DEFAULT_INBOX_RETENTION_SECONDS = 86_400;

/** Longest inbox retention a stage may set: 365 days. */
export const MAX_INBOX_RETENTION_SECONDS = 365 * 86_400;

/** At most this many notifications are replayed per `resume`. */
export const MAX_REPLAYED_PER_RESUME = 100;

/**
 * How long a recent-connection pointer is read by the fan-out: far longer than the user index
 * takes to show a new or renewed connection, short enough to keep the pointer query small.
 */
export const RECENT_CONNECTION_SECONDS = 300;

/**
 * A connection younger than this (since `connectedAt`) may still be completing its handshake, so
 * a 410 for it never deletes its record: API Gateway allows up to 29 s for the REQUEST authorizer
 * and up to 29 s for the `$connect` integration.
 */
export const HANDSHAKE_WINDOW_SECONDS = 60;

/**
 * The keep-alive route (docs/protocol.md): `{"action":"keepalive"}` reaches a MOCK integration that
 * API Gateway answers itself with KEEP_ALIVE_REPLY: it resets the connection's idle timer and
 * invokes no function, reads and writes nothing.
 */
export const KEEP_ALIVE_ROUTE_KEY = 'keepalive';
/** The keep-alive route's reply: a constant frame, so that a client can tell that its connection is alive. */
export const KEEP_ALIVE_REPLY = '{"type":"pong"}';
