/**
 * What the security tests watch on a running test stack besides the client's frames: which
 * functions ran (and whether any failed), the structured log items of a function, and the
 * process-level failures (unhandled rejections, uncaught exceptions) of the test process.
 */
import type { LocalLogEntry, LocalStack } from '../../../../src/local/runtime';

/** `configureStack` hook: every function logs its incoming event (Powertools POWERTOOLS_LOGGER_LOG_EVENT), redacted. Synthesized once per run (shared-synthesis.ts). */
export { logEveryEvent } from '../../../helpers/shared-synthesis';

/** Counts function invocations by logical id and keeps every failed one. */
export class InvocationWatch {
  readonly started = new Map<string, number>();
  readonly ended = new Map<string, number>();
  readonly failures: { functionId: string; errorType: string | undefined; errorMessage: string | undefined }[] = [];
  readonly stop: () => void;

  constructor(stack: LocalStack) {
    this.stop = stack.onInvocation((event) => {
      if (event.type === 'start') this.started.set(event.functionId, (this.started.get(event.functionId) ?? 0) + 1);
      else this.ended.set(event.functionId, (this.ended.get(event.functionId) ?? 0) + 1);
      if (event.type === 'end' && event.status === 'error') this.failures.push({ functionId: event.functionId, errorType: event.errorType, errorMessage: event.errorMessage });
    });
  }

  count(functionId: string): number {
    return this.started.get(functionId) ?? 0;
  }

  /** Invocations of the function that have finished. */
  finished(functionId: string): number {
    return this.ended.get(functionId) ?? 0;
  }

  /** True when every invocation of these functions that started has finished. */
  idle(...functionIds: string[]): boolean {
    return functionIds.every((functionId) => this.count(functionId) === this.finished(functionId));
  }
}

/** The JSON log items (Powertools) a function wrote, in order; platform and plain lines are skipped. */
export function structuredLogs(logs: readonly LocalLogEntry[], functionId: string, from = 0): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (const entry of logs.slice(from)) {
    if (entry.source !== 'function' || entry.name !== functionId || !entry.line.startsWith('{')) continue;
    try {
      items.push(JSON.parse(entry.line) as Record<string, unknown>);
    } catch {
      // Not a structured line.
    }
  }
  return items;
}

/** Records unhandled rejections and uncaught exceptions of this process while installed. */
export class ProcessFailureWatch {
  readonly failures: unknown[] = [];
  readonly #onFailure = (reason: unknown): void => {
    this.failures.push(reason);
  };

  install(): this {
    process.on('unhandledRejection', this.#onFailure);
    process.on('uncaughtException', this.#onFailure);
    return this;
  }

  uninstall(): void {
    process.off('unhandledRejection', this.#onFailure);
    process.off('uncaughtException', this.#onFailure);
  }
}
