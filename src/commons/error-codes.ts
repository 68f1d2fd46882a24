/**
 * The codes of the service's error frames (docs/protocol.md). In a file of its own, which imports
 * nothing and uses no Node.js API, so that the browser client takes them from here too.
 */
export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'token_expired',
  'invalid_token',
  'too_many_attempts',
  'too_many_connections',
  'authorization_timeout',
  'not_implemented',
  'payload_too_large',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
