/**
 * Fault injection (`--fault`, docs/reliability.md): a fraction of a service's calls gets the error
 * AWS answers when it throttles or fails, before any effect, so the SDK clients retry them as real
 * ones; or hangs, as a stalled endpoint does. It plugs into a service's interceptor chain; each
 * service writes its own error answers and hangs its calls with `hangCall`. The queue pollers'
 * calls are exempt: they stand for AWS's event source mapping service.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENT_SOURCE_MAPPING_CALLER, type FaultKind, type InjectedFault, type InterceptorChain } from './request-interceptors';

export type { FaultKind, InjectedFault } from './request-interceptors';

/** Fault options, as `--fault` checks them (src/cli/fault-flag.ts). */
export interface FaultOptions {
  /** Fraction of calls that fail, from 0 to 1. */
  readonly rate: number;
  /** What a faulted call meets, drawn at random among these; default `throttle` and `server` (errors). */
  readonly kinds?: readonly FaultKind[];
  /**
   * `hang` only: a hung call is handled, and answered, after this many ms if its caller still waits
   * for it; without it, a hung call is never answered.
   */
  readonly hangMs?: number;
  /** Only these operations (`GetItem`, `ReceiveMessage`, `PostToConnection`, …); default all. */
  readonly operations?: readonly string[];
  /** Random source in [0, 1); tests pass a deterministic one. */
  readonly random?: () => number;
}

/** What a service's fault injection has done since the service started. */
export interface FaultCounts {
  /** Calls subject to faults (operations outside `operations` are not counted). */
  readonly requests: number;
  /** Calls answered with an injected error. */
  readonly injected: number;
  readonly byKind: Readonly<Record<FaultKind, number>>;
  /** Injected errors by operation (`GetItem`, `SendMessageBatch`, `PostToConnection`, …). */
  readonly byOperation: Readonly<Record<string, number>>;
}

/**
 * A service's fault injection: at most one fault interceptor in its chain at a time, and one count
 * across `set` calls.
 */
export class FaultInjection {
  #requests = 0;
  readonly #byKind: Record<FaultKind, number> = { throttle: 0, server: 0, hang: 0 };
  readonly #byOperation: Record<string, number> = {};
  #remove: (() => void) | undefined;

  constructor(private readonly chain: InterceptorChain) {}

  /** Starts, changes (`options`) or stops (`undefined`) fault injection. TypeError for a rate outside 0–1. */
  set(options: FaultOptions | undefined): void {
    if (options !== undefined && !(options.rate >= 0 && options.rate <= 1)) throw new TypeError(`faults.rate must be a number from 0 to 1, got ${options.rate}`);
    this.#remove?.();
    if (options === undefined) this.#remove = undefined;
    else this.#remove = this.chain.add({ before: (call) => (call.caller === EVENT_SOURCE_MAPPING_CALLER ? undefined : this.#decide(options, call.operation)) });
  }

  /** Whether to fail a call of `operation` and how; undefined lets it through. */
  #decide(options: FaultOptions, operation: string): InjectedFault | undefined {
    if (options.operations !== undefined && !options.operations.includes(operation)) return undefined;
    this.#requests += 1;
    const random = options.random ?? Math.random;
    if (options.rate === 0 || random() >= options.rate) return undefined;
    const kinds = options.kinds ?? (['throttle', 'server'] as const);
    const kind = kinds[Math.floor(random() * kinds.length)] ?? 'server';
    this.#byKind[kind] += 1;
    this.#byOperation[operation] = (this.#byOperation[operation] ?? 0) + 1;
    return kind === 'hang' && options.hangMs !== undefined ? { kind, answerAfterMs: options.hangMs } : { kind };
  }

  counts(): FaultCounts {
    const injected = Object.values(this.#byKind).reduce((sum, count) => sum + count, 0);
    return { requests: this.#requests, injected, byKind: { ...this.#byKind }, byOperation: { ...this.#byOperation } };
  }
}

/**
 * Hangs a call, as a stalled endpoint does: the request is accepted and never answered, so only the
 * caller's timeout (or its going away) ends it; with `answerAfterMs`, `handle` runs after that long
 * — the call takes effect and is answered late — unless the caller has gone by then, in which case
 * it is dropped like a request lost on the way. Nothing is held once the connection closes.
 */
export function hangCall(fault: InjectedFault, request: IncomingMessage, response: ServerResponse, handle: () => void): void {
  if (fault.answerAfterMs === undefined) {
    request.resume();
    return;
  }
  const timer = setTimeout(handle, fault.answerAfterMs);
  response.once('close', () => clearTimeout(timer));
}
