/** Errors of the embedded services, with stable codes. Messages are one line, fit for a CLI. */

export type EmbeddedServiceErrorCode = 'port_in_use' | 'listen_failed' | 'setup_failed' | 'unknown_resource';

export class EmbeddedServiceError extends Error {
  override readonly name = 'EmbeddedServiceError';
  constructor(
    readonly code: EmbeddedServiceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
