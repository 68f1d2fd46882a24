/**
 * How the local runtime calls a function: the gateway (routes, authorizer) and the queue pollers
 * go through a FunctionInvoker, the function runner implements it.
 */

export interface InvocationSuccess {
  readonly status: 'ok';
  /** The handler's return value (structured-cloned from the function's worker). */
  readonly payload: unknown;
  readonly durationMs: number;
  readonly coldStart: boolean;
}

export interface InvocationFailure {
  readonly status: 'error';
  /** `Error` name as Lambda reports it, e.g. `TypeError`, or `Sandbox.Timedout` for a timeout. */
  readonly errorType: string;
  readonly errorMessage: string;
  readonly durationMs: number;
  readonly coldStart: boolean;
}

export type InvocationResult = InvocationSuccess | InvocationFailure;

export interface FunctionInvoker {
  /** Invokes the function of that logical id with the event, like a synchronous Lambda Invoke. Never rejects for a handler error: that is an InvocationFailure. */
  invoke(functionId: string, event: unknown): Promise<InvocationResult>;
}
