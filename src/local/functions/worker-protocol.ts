/**
 * Messages between the function runner (main thread) and a function instance (worker thread).
 * Both sides import this module; it holds types only, so the worker bundle stays small.
 */

/** `workerData` of a function instance. */
export interface WorkerInit {
  /** Absolute path of the function's bundle (CommonJS). */
  readonly bundleFile: string;
  readonly handlerExport: string;
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly memorySizeMb: number;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** True when the function's NODE_OPTIONS ask for `--enable-source-maps`, as Lambda honours it. */
  readonly enableSourceMaps: boolean;
}

/** Main thread → worker. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly requestId: string;
  readonly event: unknown;
  /** Epoch milliseconds at which the invocation times out (for `context.getRemainingTimeInMillis()`). */
  readonly deadline: number;
}

/** An error as Lambda reports it. */
export interface SerializedError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stack?: readonly string[];
}

/** Worker → main thread. */
export type WorkerMessage =
  | { readonly type: 'log'; readonly stream: 'stdout' | 'stderr'; readonly text: string; readonly requestId?: string }
  /** The init phase is over: `error` when it failed (the worker then does nothing more). */
  | { readonly type: 'init'; readonly initDurationMs: number; readonly error?: SerializedError }
  | {
      readonly type: 'result';
      readonly requestId: string;
      readonly durationMs: number;
      /** Heap of the instance in bytes, for the REPORT line's Max Memory Used. */
      readonly memoryUsedBytes: number;
      /** The handler's return value as JSON (`null` for undefined), as Lambda serializes it. */
      readonly payloadJson?: string;
      readonly error?: SerializedError;
    }
  /** The worker is about to exit because of an unhandled promise rejection (Lambda's Runtime.UnhandledPromiseRejection). */
  | { readonly type: 'fatal'; readonly error: SerializedError };
