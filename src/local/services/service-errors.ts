/** Errors of the embedded services, with stable codes. Messages are one line, fit for a CLI. */

export type EmbeddedServiceErrorCode = 'PORT_IN_USE' | 'LISTEN_FAILED' | 'SETUP_FAILED' | 'UNKNOWN_RESOURCE';

export class EmbeddedServiceError extends Error {
  override readonly name = 'EmbeddedServiceError';
  constructor(
    message: string,
    readonly code: EmbeddedServiceErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
