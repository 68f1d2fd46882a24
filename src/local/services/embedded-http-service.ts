import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { DEFAULT_REGION, LOCAL_CREDENTIALS, LOCAL_HOST, type LocalClientConfig } from './aws-client-config';
import { refuseBrowserRequest } from './browser-requests';
import { FaultInjection, hangCall } from './fault-injection';
import { closeServer } from './http-server';
import type { ErrorFaultKind, InterceptorChain } from './request-interceptors';

export type EmbeddedServiceKind = 'dynamodb' | 'sqs';

/** The errors each service answers an injected fault with, as AWS answers when it throttles or fails. */
const FAULT_ANSWERS: Record<EmbeddedServiceKind, Record<ErrorFaultKind, { status: number; type: string; queryError?: string; message: string }>> = {
  dynamodb: {
    throttle: { status: 400, type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
    server: { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error (injected fault)' },
  },
  sqs: {
    // SQS's JSON protocol also names the error in `x-amzn-query-error`, as AWS does.
    throttle: { status: 400, type: 'com.amazonaws.sqs#ThrottlingException', queryError: 'ThrottlingException;Sender', message: 'Rate exceeded (injected fault)' },
    server: { status: 500, type: 'com.amazonaws.sqs#InternalFailure', queryError: 'InternalFailure;Receiver', message: 'We encountered an internal error. Please try again. (injected fault)' },
  },
};

/** The operation of an AWS JSON-protocol request (`DynamoDB_20120810.GetItem` → `GetItem`), or undefined. */
export function operationOf(request: IncomingMessage): string | undefined {
  const target = request.headers['x-amz-target'];
  if (typeof target !== 'string') return undefined;
  const dot = target.lastIndexOf('.');
  return dot === -1 ? target : target.slice(dot + 1);
}

/** Answers with the fault's error, after reading the request's body so that the connection stays usable. */
function answerFault(kind: EmbeddedServiceKind, fault: ErrorFaultKind, request: IncomingMessage, response: ServerResponse): void {
  const answer = FAULT_ANSWERS[kind][fault];
  const body = JSON.stringify({ __type: answer.type, message: answer.message });
  request.resume();
  request.once('end', () => {
    response.statusCode = answer.status;
    response.setHeader('Content-Type', 'application/x-amz-json-1.0');
    response.setHeader('Content-Length', Buffer.byteLength(body));
    response.setHeader('x-amzn-RequestId', randomUUID());
    if (answer.queryError !== undefined) response.setHeader('x-amzn-query-error', answer.queryError);
    response.end(body);
  });
}

/**
 * The request listener of an embedded service: browser requests are refused, then every call goes
 * through the service's interceptors (faults, observers) before the engine answers it; a hung call
 * reaches the engine late or never.
 */
export function serviceRequestListener(kind: EmbeddedServiceKind, interceptors: InterceptorChain, handle: RequestListener): RequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    if (refuseBrowserRequest(request, response, kind === 'sqs' ? 'SQS' : 'DynamoDB')) return;
    if (interceptors.isEmpty) {
      void handle(request, response);
      return;
    }
    const call = interceptors.begin({ service: kind, operation: operationOf(request) ?? 'unknown' });
    response.once('close', () => call.end(response.writableFinished ? response.statusCode : 0));
    const { fault } = call;
    if (fault === undefined) void handle(request, response);
    else if (fault.kind === 'hang') hangCall(fault, request, response, () => void handle(request, response));
    else answerFault(kind, fault.kind, request, response);
  };
}

/** What the embedded DynamoDB and SQS share: an HTTP server on the loopback address, its client configuration and interceptor chain. */
export abstract class EmbeddedHttpService {
  readonly endpoint: string;
  readonly region = DEFAULT_REGION;
  readonly clientConfig: LocalClientConfig;
  /** Starts, changes or stops fault injection (`faults.set`) and counts what it did across changes (`faults.counts()`). */
  readonly faults: FaultInjection;
  #closing: Promise<void> | undefined;

  protected constructor(
    private readonly server: Server,
    /** The plug-in point of fault injection and request observers. */
    readonly interceptors: InterceptorChain,
    readonly port: number,
  ) {
    this.endpoint = `http://${LOCAL_HOST}:${port}`;
    this.clientConfig = { endpoint: this.endpoint, region: this.region, credentials: LOCAL_CREDENTIALS };
    this.faults = new FaultInjection(interceptors);
  }

  /** Open client connections (kept-alive ones included): 0 once every client has gone. */
  connectionCount(): Promise<number> {
    return new Promise((resolve, reject) => this.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
  }

  /** Stops the server, dropping open requests. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= closeServer(this.server);
    return this.#closing;
  }
}
