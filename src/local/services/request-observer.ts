import type { IncomingMessage, ServerResponse } from 'node:http';
import { operationOf } from './fault-injection';

/** One request an embedded service (or the gateway's Management API) answered: what the AWS bill would count. */
export interface ServiceRequestEvent {
  /** `dynamodb`, `sqs`, or `management` (the Management API, `@connections`). */
  readonly service: 'dynamodb' | 'sqs' | 'management';
  /** The AWS operation: `GetItem`, `SendMessageBatch`, `PostToConnection`, … (`unknown` for a request without one). */
  readonly operation: string;
  /** HTTP status of the answer (0 when the client went away first). */
  readonly status: number;
  /** From the request's arrival to the end of the answer, ms (a long poll's wait included). */
  readonly durationMs: number;
  /** `event-source-mapping` for the queue pollers' own calls (event-source-queue.ts); absent for everyone else's. */
  readonly caller?: string;
}

export type ServiceRequestListener = (event: ServiceRequestEvent) => void;

/** Calls `listener` once the response to `request` is over (sent, or abandoned by the client). */
export function observeRequest(service: 'dynamodb' | 'sqs', request: IncomingMessage, response: ServerResponse, listener: ServiceRequestListener): void {
  const started = performance.now();
  const operation = operationOf(request) ?? 'unknown';
  response.once('close', () =>
    listener({
      service,
      operation,
      status: response.writableFinished ? response.statusCode : 0,
      durationMs: performance.now() - started,
    }),
  );
}
