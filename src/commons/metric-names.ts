/**
 * The service's own CloudWatch metrics, by name: what the functions emit (src/commons/metrics.ts),
 * what the construct's alarms and dashboard read (infra/constructs/service-alarms.ts,
 * service-dashboard.ts) and what the local console counts (src/local/metrics). Constants only, so
 * that the CDK side imports them without loading Powertools. docs/operations.md describes each.
 */

/** The namespace of every metric of the service (the functions' POWERTOOLS_METRICS_NAMESPACE). */
export const METRICS_NAMESPACE = 'WsNotify';

/** Dimension of every metric: the stage. Powertools adds `service` (POWERTOOLS_SERVICE_NAME, `ws-notify`). */
export const STAGE_DIMENSION = 'stage';

/** Dimension Powertools puts on every metric: POWERTOOLS_SERVICE_NAME. */
export const SERVICE_DIMENSION = 'service';

/** The functions' POWERTOOLS_SERVICE_NAME: the value of the `service` dimension. */
export const SERVICE_NAME = 'ws-notify';

export const METRIC_NAMES = {
  /** `$connect` accepted the handshake and wrote the record (authorized, or pending in mode `action`). */
  connectionsOpened: 'ConnectionsOpened',
  /** `$disconnect` ran: the connection closed (counted even when its record could not be deleted). */
  connectionsClosed: 'ConnectionsClosed',
  /** A handshake refused, with its reason in the `reason` dimension (HANDSHAKE_REFUSAL_REASONS). */
  handshakesRefused: 'HandshakesRefused',
  /** NotifyUser stored a new notification in the user's inbox (a redelivered one is not counted again). */
  notificationsStored: 'NotificationsStored',
  /** NotifyConnection posted a notification to a connection. */
  notificationsDelivered: 'NotificationsDelivered',
  /** NotifyConnection's post found the connection gone (410). */
  notificationsGone: 'NotificationsGone',
  /** NotifyConnection refused a notification: its connection is absent, pending or expired. */
  notificationsRefused: 'NotificationsRefused',
  /** `resume` posted a stored notification again. */
  notificationsReplayed: 'NotificationsReplayed',
  /**
   * Milliseconds from the SQS send of the notification to its post: from the NotifyUser message's
   * `SentTimestamp` for a fan-out copy, from the NotifyConnection message's for one sent to a
   * connection directly.
   */
  deliveryLatency: 'DeliveryLatency',
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** Dimension of HandshakesRefused. */
export const REFUSAL_REASON_DIMENSION = 'reason';

/**
 * Why a handshake was refused: `unauthorized` (the authorizer denied the token or its absence),
 * `forbidden_origin` (403), `too_many_connections` (429), `error` (500, or a token that could not
 * be verified because the keys were unavailable).
 */
export const HANDSHAKE_REFUSAL_REASONS = ['unauthorized', 'forbidden_origin', 'too_many_connections', 'error'] as const;
export type HandshakeRefusalReason = (typeof HANDSHAKE_REFUSAL_REASONS)[number];

/**
 * SQS message attribute NotifyUser puts on each NotifyConnection copy: the NotifyUser message's
 * `SentTimestamp` (epoch ms), so that the delivery latency covers the whole way.
 */
export const NOTIFY_USER_SENT_AT_ATTRIBUTE = 'wsNotifySentAt';
