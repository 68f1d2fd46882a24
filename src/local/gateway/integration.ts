import type { FunctionInvoker } from '../functions/invocation';
import type { RouteResult } from './gateway-events';

/**
 * Calls a function the way API Gateway calls a Lambda integration: at most `timeoutMs` (API
 * Gateway's integration timeout, 29 s) is waited for; a function that is still running then is
 * an integration timeout, whatever the function's own timeout.
 */

/** `errorType` the function runner reports for a function that ran past its timeout. */
const FUNCTION_TIMEOUT_ERROR_TYPE = 'Sandbox.Timedout';

export type IntegrationOutcome =
  | { readonly kind: 'ok'; readonly payload: unknown; readonly durationMs: number }
  /** The function threw, or ran past its own timeout (`errorType` `Sandbox.Timedout`). */
  | { readonly kind: 'error'; readonly errorType: string; readonly errorMessage: string; readonly durationMs: number }
  /** The gateway stopped waiting (integration timeout). */
  | { readonly kind: 'integration-timeout'; readonly durationMs: number }
  /** The invoker itself failed (a bug or a crashed runner, not a handler error). */
  | { readonly kind: 'invoker-error'; readonly error: unknown; readonly durationMs: number };

/** The `route` event's result of an outcome (`malformed-response` is for the caller to tell). */
export function routeResult(outcome: IntegrationOutcome): RouteResult {
  if (outcome.kind === 'error') return outcome.errorType === FUNCTION_TIMEOUT_ERROR_TYPE ? 'function-timeout' : 'error';
  return outcome.kind;
}

export function invokeIntegration(
  invoker: FunctionInvoker,
  functionId: string,
  event: unknown,
  timeoutMs: number,
): Promise<IntegrationOutcome> {
  const started = performance.now();
  // A promise settles once: whichever of the timer and the invocation comes second changes nothing.
  return new Promise<IntegrationOutcome>((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'integration-timeout', durationMs: performance.now() - started }), timeoutMs);
    // An invoker that throws instead of rejecting is an invoker error too.
    (async () => invoker.invoke(functionId, event))().then(
      (result) => {
        clearTimeout(timer);
        const durationMs = performance.now() - started;
        if (result.status === 'ok') resolve({ kind: 'ok', payload: result.payload, durationMs });
        else resolve({ kind: 'error', errorType: result.errorType, errorMessage: result.errorMessage, durationMs });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ kind: 'invoker-error', error, durationMs: performance.now() - started });
      },
    );
  });
}
