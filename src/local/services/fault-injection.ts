import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Fault injection at the HTTP level: a fraction of the requests to an embedded service is answered
 * with the error AWS answers when it throttles or fails, before the request reaches the service (so
 * a faulted request has no effect, as with AWS). The AWS SDK retries these errors like real ones.
 *
 * The local runtime's queue pollers never meet these faults: they stand for AWS's event source
 * mapping service and reach the queues without HTTP (event-source-queue.ts, docs/reliability.md).
 */
export interface FaultOptions {
  /** Fraction of requests that fail, from 0 to 1. */
  readonly rate: number;
  /** Which errors to answer with; default both. */
  readonly kinds?: readonly FaultKind[];
  /** Only these operations (the `X-Amz-Target` action, e.g. `GetItem`, `ReceiveMessage`); default all. */
  readonly operations?: readonly string[];
  /** Random source in [0, 1); tests pass a deterministic one. */
  readonly random?: () => number;
}

/** `throttle`: HTTP 400 ThrottlingException. `server`: HTTP 500 internal error. */
export type FaultKind = 'throttle' | 'server';

export type EmbeddedServiceKind = 'dynamodb' | 'sqs';

interface FaultResponse {
  readonly status: number;
  readonly type: string;
  /** SQS's JSON protocol also names the error in `x-amzn-query-error`, as AWS does. */
  readonly queryError?: string;
  readonly message: string;
}

const RESPONSES: Record<EmbeddedServiceKind, Record<FaultKind, FaultResponse>> = {
  dynamodb: {
    throttle: { status: 400, type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
    server: { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error (injected fault)' },
  },
  sqs: {
    throttle: { status: 400, type: 'com.amazonaws.sqs#ThrottlingException', queryError: 'ThrottlingException;Sender', message: 'Rate exceeded (injected fault)' },
    server: { status: 500, type: 'com.amazonaws.sqs#InternalFailure', queryError: 'InternalFailure;Receiver', message: 'We encountered an internal error. Please try again. (injected fault)' },
  },
};

/** Validates fault options; throws a TypeError naming the bad field. */
export function validateFaultOptions(options: FaultOptions): void {
  if (!(options.rate >= 0 && options.rate <= 1)) throw new TypeError(`faults.rate must be a number from 0 to 1, got ${options.rate}`);
  if (options.kinds !== undefined && options.kinds.length === 0) throw new TypeError('faults.kinds must name at least one kind');
}

/** The operation of an AWS JSON-protocol request (`DynamoDB_20120810.GetItem` → `GetItem`), or undefined. */
export function operationOf(request: IncomingMessage): string | undefined {
  const target = request.headers['x-amz-target'];
  if (typeof target !== 'string') return undefined;
  const dot = target.lastIndexOf('.');
  return dot === -1 ? target : target.slice(dot + 1);
}

/** What an injector has done since it was created (or since its service started counting). */
export interface FaultCounts {
  /** Requests subject to faults (operations outside `operations` are not counted). */
  readonly requests: number;
  /** Requests answered with an injected error. */
  readonly injected: number;
  readonly byKind: Readonly<Record<FaultKind, number>>;
  /** Injected errors by operation (`GetItem`, `SendMessageBatch`, `PostToConnection`, …). */
  readonly byOperation: Readonly<Record<string, number>>;
}

/** Counts requests and injected faults; a service keeps one across `setFaults` calls. */
export class FaultCounter {
  #requests = 0;
  #injected = 0;
  readonly #byKind: Record<FaultKind, number> = { throttle: 0, server: 0 };
  readonly #byOperation = new Map<string, number>();

  request(): void {
    this.#requests += 1;
  }

  fault(kind: FaultKind, operation: string | undefined): void {
    this.#injected += 1;
    this.#byKind[kind] += 1;
    const key = operation ?? 'unknown';
    this.#byOperation.set(key, (this.#byOperation.get(key) ?? 0) + 1);
  }

  counts(): FaultCounts {
    return { requests: this.#requests, injected: this.#injected, byKind: { ...this.#byKind }, byOperation: Object.fromEntries(this.#byOperation) };
  }
}

/** Decides, per call of an operation, whether to fail it and how; undefined means "let it through". */
export type FaultDecider = (operation: string | undefined) => FaultKind | undefined;

/** The per-call decision shared by the embedded services and the gateway's Management API. */
export function createFaultDecider(options: FaultOptions, counter: FaultCounter = new FaultCounter()): FaultDecider {
  validateFaultOptions(options);
  const random = options.random ?? Math.random;
  const kinds = options.kinds ?? ['throttle', 'server'];
  const operations = options.operations === undefined ? undefined : new Set(options.operations);
  return (operation) => {
    if (operations !== undefined && (operation === undefined || !operations.has(operation))) return undefined;
    counter.request();
    if (options.rate === 0 || random() >= options.rate) return undefined;
    const kind = kinds[Math.floor(random() * kinds.length)] ?? 'server';
    counter.fault(kind, operation);
    return kind;
  };
}

export type FaultInjector = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * Returns a function that decides, per request, whether to inject a fault; when it does, it answers
 * the request itself (after reading its body, so the connection stays usable) and returns true.
 */
export function createFaultInjector(service: EmbeddedServiceKind, options: FaultOptions, counter?: FaultCounter): FaultInjector {
  const decide = createFaultDecider(options, counter);
  return (request, response) => {
    const kind = decide(operationOf(request));
    if (kind === undefined) return false;
    const fault = RESPONSES[service][kind];
    const body = JSON.stringify({ __type: fault.type, message: fault.message });
    request.resume();
    request.once('end', () => {
      response.statusCode = fault.status;
      response.setHeader('Content-Type', 'application/x-amz-json-1.0');
      response.setHeader('Content-Length', Buffer.byteLength(body));
      response.setHeader('x-amzn-RequestId', randomUUID());
      if (fault.queryError !== undefined) response.setHeader('x-amzn-query-error', fault.queryError);
      response.end(body);
    });
    return true;
  };
}
