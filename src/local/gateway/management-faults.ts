import { createFaultDecider, type FaultCounter, type FaultDecider, type FaultKind, type FaultOptions } from '../services/fault-injection';

/**
 * Fault injection into the Management API (`@connections`): a fraction of the calls is answered
 * with the errors API Gateway answers when it throttles or fails, before the call has any effect
 * (no frame sent, no connection closed), so the unmodified `ApiGatewayManagementApiClient` retries
 * them as it retries real ones:
 *
 * - `throttle` → 429, `x-amzn-ErrorType: LimitExceededException` (the SDK's
 *   `LimitExceededException`, a throttling error);
 * - `server` → 500, `x-amzn-ErrorType: InternalServerErrorException`,
 *   `{"message": "Internal server error"}`, API Gateway's own 500 (a transient error for the SDK).
 *
 * Operations are the SDK's names: `PostToConnection`, `GetConnection`, `DeleteConnection`.
 */

export interface ManagementFault {
  readonly status: number;
  readonly errorType: string;
  readonly body: string;
}

const ANSWERS: Readonly<Record<FaultKind, ManagementFault>> = {
  throttle: { status: 429, errorType: 'LimitExceededException', body: JSON.stringify({ message: 'Rate exceeded' }) },
  server: { status: 500, errorType: 'InternalServerErrorException', body: JSON.stringify({ message: 'Internal server error' }) },
};

/** The Management API operation of an HTTP method on `/@connections/{id}`, or undefined for other methods. */
export function managementOperationOf(method: string): string | undefined {
  switch (method) {
    case 'POST':
      return 'PostToConnection';
    case 'GET':
      return 'GetConnection';
    case 'DELETE':
      return 'DeleteConnection';
    default:
      return undefined;
  }
}

/** Decides, per Management API request, whether to answer it with a fault (and which). */
export type ManagementFaultInjector = (method: string) => ManagementFault | undefined;

/** Validates the options (TypeError naming the bad field) and returns the injector. */
export function createManagementFaultInjector(options: FaultOptions, counter?: FaultCounter): ManagementFaultInjector {
  const decide: FaultDecider = createFaultDecider(options, counter);
  return (method) => {
    const operation = managementOperationOf(method);
    if (operation === undefined) return undefined;
    const kind = decide(operation);
    return kind === undefined ? undefined : ANSWERS[kind];
  };
}
