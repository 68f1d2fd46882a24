/**
 * The one plug-in point of the local AWS services: every call the embedded DynamoDB and SQS and
 * the gateway's Management API answer goes through their interceptor chain, which fault
 * injection (fault-injection.ts) and request observation (`onServiceRequest`) plug into. The
 * services' main path knows neither.
 */

export type ServiceName = 'dynamodb' | 'sqs' | 'management';

/** One AWS call, as the bill counts it. */
export interface ServiceCall {
  readonly service: ServiceName;
  /** The AWS operation: `GetItem`, `SendMessageBatch`, `PostToConnection`, … (`unknown` for a request without one). */
  readonly operation: string;
  /** `event-source-mapping` for the queue pollers' own calls; absent for everyone else's. */
  readonly caller?: typeof EVENT_SOURCE_MAPPING_CALLER;
}

/** Who makes the queue pollers' calls: AWS's event source mapping service, not the application. */
export const EVENT_SOURCE_MAPPING_CALLER = 'event-source-mapping';

/** `throttle`: the service's throttling error; `server`: its HTTP 500; `hang`: never answered, or late (fault-injection.ts). */
export type FaultKind = 'throttle' | 'server' | 'hang';

export type ErrorFaultKind = Exclude<FaultKind, 'hang'>;

/** What a call meets instead of its normal answer. */
export interface InjectedFault {
  readonly kind: FaultKind;
  /** `hang` only: the call is handled after this long if its caller still waits; absent: never. */
  readonly answerAfterMs?: number;
}

export interface RequestInterceptor {
  /** Before the call has any effect: a fault answers the call with an error instead, or hangs it. */
  readonly before?: (call: ServiceCall) => InjectedFault | undefined;
  /** Once the call is answered: the HTTP status (0 when the client went away first), from its arrival, ms. */
  readonly after?: (call: ServiceCall, status: number, durationMs: number) => void;
}

export interface InterceptedCall {
  readonly fault: InjectedFault | undefined;
  end(status: number): void;
}

const UNINTERCEPTED: InterceptedCall = { fault: undefined, end: () => undefined };

/** The interceptors of one service, run in the order they were added. */
export class InterceptorChain {
  #interceptors: readonly RequestInterceptor[] = [];

  /** True while nothing is plugged in: a service may skip the chain altogether. */
  get isEmpty(): boolean {
    return this.#interceptors.length === 0;
  }

  /** Adds an interceptor; returns the function that removes it. */
  add(interceptor: RequestInterceptor): () => void {
    this.#interceptors = [...this.#interceptors, interceptor];
    return () => {
      this.#interceptors = this.#interceptors.filter((candidate) => candidate !== interceptor);
    };
  }

  /** Runs the `before` hooks (the first fault wins); `end` runs the `after` hooks once. */
  begin(call: ServiceCall): InterceptedCall {
    const interceptors = this.#interceptors;
    if (interceptors.length === 0) return UNINTERCEPTED;
    const started = performance.now();
    let fault: InjectedFault | undefined;
    for (const interceptor of interceptors) {
      fault ??= interceptor.before?.(call);
    }
    let ended = false;
    return {
      fault,
      end: (status) => {
        if (ended) return;
        ended = true;
        const durationMs = performance.now() - started;
        for (const interceptor of interceptors) interceptor.after?.(call, status, durationMs);
      },
    };
  }
}

/** A call answered: HTTP status (0 when the client went away first), ms from arrival to answer (a long poll's wait included). */
export interface ServiceRequestEvent extends ServiceCall {
  readonly status: number;
  readonly durationMs: number;
}

/** An interceptor that reports every answered call to `listener`. */
export function requestObserver(listener: (event: ServiceRequestEvent) => void): RequestInterceptor {
  return {
    after: (call, status, durationMs) => listener(call.caller === undefined ? { service: call.service, operation: call.operation, status, durationMs } : { ...call, status, durationMs }),
  };
}
