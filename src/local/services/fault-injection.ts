/**
 * Fault injection: a fraction of a service's calls is answered with the error AWS answers when it
 * throttles or fails, before the call has any effect (as with AWS), so the unmodified SDK clients
 * retry them as they retry real ones. It plugs into a service's interceptor chain
 * (request-interceptors.ts); each service writes its own error answers.
 *
 * The queue pollers' calls are exempt: they stand for AWS's event source mapping service, and
 * `--fault sqs=…` stands for what the application's own calls meet (docs/reliability.md).
 */
import { EVENT_SOURCE_MAPPING_CALLER, type FaultKind, type InterceptorChain, type RequestInterceptor } from './request-interceptors';

export type { FaultKind } from './request-interceptors';

export interface FaultOptions {
  /** Fraction of calls that fail, from 0 to 1. */
  readonly rate: number;
  /** Which errors to answer with; default both. */
  readonly kinds?: readonly FaultKind[];
  /** Only these operations (`GetItem`, `ReceiveMessage`, `PostToConnection`, …); default all. */
  readonly operations?: readonly string[];
  /** Random source in [0, 1); tests pass a deterministic one. */
  readonly random?: () => number;
}

/** Validates fault options; throws a TypeError naming the bad field. */
export function validateFaultOptions(options: FaultOptions): void {
  if (!(options.rate >= 0 && options.rate <= 1)) throw new TypeError(`faults.rate must be a number from 0 to 1, got ${options.rate}`);
  if (options.kinds !== undefined && options.kinds.length === 0) throw new TypeError('faults.kinds must name at least one kind');
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

/** Counts calls and injected faults; a service keeps one across `setFaults` calls. */
export class FaultCounter {
  #requests = 0;
  #injected = 0;
  readonly #byKind: Record<FaultKind, number> = { throttle: 0, server: 0 };
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
  const kinds = options.kinds ?? ['throttle', 'server'];
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
    this.#remove = decide === undefined ? undefined : this.chain.add(faultInterceptor(decide));
  }

  counts(): FaultCounts {
    return this.#counter.counts();
  }
}

function faultInterceptor(decide: FaultDecider): RequestInterceptor {
  return { before: (call) => (call.caller === EVENT_SOURCE_MAPPING_CALLER ? undefined : decide(call.operation)) };
}
