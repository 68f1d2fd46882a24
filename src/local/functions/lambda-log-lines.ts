/**
 * The platform lines Lambda writes around an invocation, in its text log format, so a cold start,
 * a timeout or a crash looks in the local logs as it does in CloudWatch.
 */

export function initStartLine(nodeVersion: string): string {
  return `INIT_START Runtime Version: nodejs:${nodeVersion}\tRuntime Version ARN: local (worker thread)`;
}

export function startLine(requestId: string): string {
  return `START RequestId: ${requestId} Version: $LATEST`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

interface ReportDetails {
  readonly requestId: string;
  readonly durationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** Only on the invocation that paid for the cold start. */
  readonly initDurationMs?: number;
  /** `timeout` or `error` (the instance died); absent on a normal end, handler errors included. */
  readonly status?: 'timeout' | 'error';
  readonly errorType?: string;
}

export function reportLine(details: ReportDetails): string {
  const parts = [
    `REPORT RequestId: ${details.requestId}`,
    `Duration: ${details.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.max(1, Math.ceil(details.durationMs))} ms`,
    `Memory Size: ${details.memorySizeMb} MB`,
    `Max Memory Used: ${details.maxMemoryUsedMb} MB`,
  ];
  if (details.initDurationMs !== undefined) parts.push(`Init Duration: ${details.initDurationMs.toFixed(2)} ms`);
  if (details.status !== undefined) parts.push(`Status: ${details.status}`);
  if (details.errorType !== undefined) parts.push(`Error Type: ${details.errorType}`);
  return parts.join('\t');
}

/** Seconds as Lambda prints them in "Task timed out after 3.00 seconds". */
export function timeoutMessage(timeoutSeconds: number): string {
  return `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

export function timeoutLine(requestId: string, timeoutSeconds: number, now = new Date()): string {
  return `${now.toISOString()} ${requestId} ${timeoutMessage(timeoutSeconds)}`;
}
