import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { LOCAL_CREDENTIALS, type LocalClientConfig } from './aws-client-config';
import { refuseBrowserRequest } from './browser-requests';
import { createFaultInjector, FaultCounter, type EmbeddedServiceKind, type FaultCounts, type FaultInjector, type FaultOptions } from './fault-injection';
import { closeServer } from './http-server';
import { observeRequest, type ServiceRequestListener } from './request-observer';

const LABELS: Record<EmbeddedServiceKind, 'DynamoDB' | 'SQS'> = { dynamodb: 'DynamoDB', sqs: 'SQS' };

/**
 * What the embedded DynamoDB and SQS share: an HTTP server on the loopback address, the client
 * configuration that reaches it, and the steps every request goes through before the service's
 * own handler (refusal of browser requests, the request observer, fault injection).
 */
export abstract class EmbeddedHttpService {
  readonly endpoint: string;
  readonly clientConfig: LocalClientConfig;
  protected requestListener: ServiceRequestListener | undefined;
  private faultInjector: FaultInjector | undefined;
  private readonly faultCounter = new FaultCounter();
  private closing: Promise<void> | undefined;

  protected constructor(
    private readonly kind: EmbeddedServiceKind,
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    readonly region: string,
  ) {
    this.endpoint = `http://${host}:${port}`;
    this.clientConfig = { endpoint: this.endpoint, region, credentials: LOCAL_CREDENTIALS };
  }

  /**
   * Runs the steps that come before the service's handler; true when one of them answered the
   * request (a refused browser request, an injected fault). `service` is undefined while the
   * service is still being set up: then only browser requests are refused.
   */
  static intercept(service: EmbeddedHttpService | undefined, kind: EmbeddedServiceKind, request: IncomingMessage, response: ServerResponse): boolean {
    if (refuseBrowserRequest(request, response, LABELS[kind])) return true;
    if (service === undefined) return false;
    if (service.requestListener !== undefined) observeRequest(kind, request, response, service.requestListener);
    return service.faultInjector?.(request, response) === true;
  }

  /** Sets what start-up was asked for, once the resources exist: faults and the request observer. */
  protected configure(options: { readonly faults?: FaultOptions; readonly onRequest?: ServiceRequestListener }): void {
    if (options.faults !== undefined) this.setFaults(options.faults);
    this.requestListener = options.onRequest;
  }

  /** Open client connections (kept-alive ones included): 0 once every client has gone. */
  connectionCount(): Promise<number> {
    return new Promise((resolve, reject) => this.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
  }

  /** Starts, changes (`faults`) or stops (`undefined`) fault injection. */
  setFaults(faults: FaultOptions | undefined): void {
    this.faultInjector = faults === undefined ? undefined : createFaultInjector(this.kind, faults, this.faultCounter);
  }

  /** Requests subject to faults and faults injected since the service started, across `setFaults` calls. */
  faultCounts(): FaultCounts {
    return this.faultCounter.counts();
  }

  /** What to drop once the server has stopped. */
  protected abstract dropData(): void;

  /** Stops the server (dropping open requests) and the data. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= closeServer(this.server).then(() => this.dropData());
    return this.closing;
  }
}
