/**
 * The WebSocket stage's access log line (JSON). It records who, which route, what outcome and how
 * long, and nothing taken from the request URL: no `$context.requestOverride.*`, no path or query
 * string, so the `?token=` of a `$connect` never reaches the logs.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  connectionId: '$context.connectionId',
  messageId: '$context.messageId',
  status: '$context.status',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  authorizerStatus: '$context.authorizer.status',
  authorizerError: '$context.authorizer.error',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
};
