/**
 * Fault injection (`--fault`, docs/reliability.md): a fraction of a service's calls gets the error
 * AWS answers when it throttles or fails, before any effect, so the SDK clients retry them as real
 * ones; or hangs, as a stalled endpoint does. It plugs into a service's interceptor chain; each
 * service writes its own error answers and hangs its calls with `hangCall`. The queue pollers'
 * calls are exempt: they stand for AWS's event source mapping service.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENT_SOURCE_MAPPING_CALLER, type FaultKind, type InjectedFault, type InterceptorChain, type RequestInterceptor } from './request-interceptors';

export type { FaultKind, InjectedFault } from './request-interceptors';

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

/** Validates fault options; throws a TypeError naming the bad field. */
export function validateFaultOptions(options: FaultOptions): void {
  if (!(options.rate >= 0 && options.rate <= 1)) throw new TypeError(`faults.rate must be a number from 0 to 1, got ${options.rate}`);
  if (options.kinds !== undefined && options.kinds.length === 0) throw new TypeError('faults.kinds must name at least one kind');
  if (options.hangMs !== undefined) {
    if (!(Number.isFinite(options.hangMs) && options.hangMs > 0 && options.hangMs <= MAX_HANG_MS)) {
      throw new TypeError(`faults.hangMs must be a number of milliseconds from 1 to ${MAX_HANG_MS}, got ${options.hangMs}`);
    }
    if (!(options.kinds ?? DEFAULT_KINDS).includes('hang')) throw new TypeError("faults.hangMs needs 'hang' among faults.kinds");
  }
}

/** The default kinds: AWS's error answers. */
const DEFAULT_KINDS: readonly FaultKind[] = ['throttle', 'server'];

/** The longest a hung call may be held before it is answered: Node.js timers reach ~24.8 days; an hour is plenty. */
export const MAX_HANG_MS = 3_600_000;

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

/** Counts calls and injected faults; a service keeps one across `setFaults` calls. */
export class FaultCounter {
  #requests = 0;
  #injected = 0;
  readonly #byKind: Record<FaultKind, number> = { throttle: 0, server: 0, hang: 0 };
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

export function createFaultDecider(options: FaultOptions, counter: FaultCounter = new FaultCounter()): FaultDecider {
  validateFaultOptions(options);
  const random = options.random ?? Math.random;
  const kinds = options.kinds ?? DEFAULT_KINDS;
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

/**
 * A service's fault injection: at most one fault interceptor in its chain at a time, and one
 * counter across `set` calls.
 */
export class FaultInjection {
  readonly #counter = new FaultCounter();
  #remove: (() => void) | undefined;

  constructor(private readonly chain: InterceptorChain) {}

  /** Starts, changes (`options`) or stops (`undefined`) fault injection. TypeError for invalid options. */
  set(options: FaultOptions | undefined): void {
    const decide = options === undefined ? undefined : createFaultDecider(options, this.#counter);
    this.#remove?.();
    this.#remove = decide === undefined || options === undefined ? undefined : this.chain.add(faultInterceptor(decide, options.hangMs));
  }

  counts(): FaultCounts {
    return this.#counter.counts();
  }
}

function faultInterceptor(decide: FaultDecider, hangMs: number | undefined): RequestInterceptor {
  return {
    before: (call) => {
      if (call.caller === EVENT_SOURCE_MAPPING_CALLER) return undefined;
      const kind = decide(call.operation);
      if (kind === undefined) return undefined;
      return kind === 'hang' && hangMs !== undefined ? { kind, answerAfterMs: hangMs } : { kind };
    },
  };
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
