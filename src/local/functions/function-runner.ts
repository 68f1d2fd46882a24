import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from '../services/aws-client-config';
import type { FunctionModel } from '../template/stack-model';
import type { FunctionInvocationEvent, FunctionLogEntry, FunctionPoolStats } from './function-events';
import { FunctionCodeNotFoundError, InvalidFunctionDefinitionError, UnknownFunctionError } from './function-errors';
import { FunctionPool } from './function-pool';
import { guardListener } from './guard-listener';
import type { FunctionInvoker, InvocationResult } from './invocation';
import { workerBootstrapFile } from './worker-bootstrap-file';

/**
 * What the function runner needs to know about one function: the template's FunctionModel with the
 * environment already resolved to local values. `logicalId` is the id callers invoke it by;
 * `functionName`, the name Lambda would report (`context.functionName`), defaults to it; the handler's
 * module defaults to `index`.
 */
export interface LocalFunctionDefinition
  extends Pick<FunctionModel, 'logicalId' | 'codeDirectory' | 'handlerExport' | 'timeoutSeconds' | 'memorySizeMb' | 'reservedConcurrency'>,
    Partial<Pick<FunctionModel, 'handlerModule'>> {
  readonly environment: Readonly<Record<string, string>>;
  readonly functionName?: string;
}

export interface FunctionRunnerOptions {
  readonly functions: readonly LocalFunctionDefinition[];
  /** Every log line: platform lines (INIT_START, START, END, REPORT, timeouts) and the functions' output. */
  readonly onLog?: (entry: FunctionLogEntry) => void;
  /** Start and end of every invocation (for a console). */
  readonly onInvocation?: (event: FunctionInvocationEvent) => void;
  /** Concurrency of a function without reserved concurrency (Lambda's unreserved pool). Default 10. */
  readonly defaultConcurrency?: number;
  /**
   * Most instances of one function at once, whatever its concurrency. Default: the CPUs + 1: every
   * instance shares this machine's CPUs with the others, the gateway and the embedded services, and
   * each spends part of an invocation waiting for them (docs/local.md).
   */
  readonly maxInstancesPerFunction?: number;
}

export const DEFAULT_FUNCTION_CONCURRENCY = 10;

/** Checks the template's values (the template reader has already made the ids unique). */
function validate(fn: LocalFunctionDefinition): void {
  if (!(fn.timeoutSeconds > 0) || !Number.isFinite(fn.timeoutSeconds)) {
    throw new InvalidFunctionDefinitionError(fn.logicalId, `timeout must be a positive number of seconds, got ${fn.timeoutSeconds}`);
  }
  if (!(fn.memorySizeMb >= 128) || !Number.isInteger(fn.memorySizeMb)) {
    throw new InvalidFunctionDefinitionError(fn.logicalId, `memory size must be a whole number of MB, 128 or more, got ${fn.memorySizeMb}`);
  }
  if (fn.reservedConcurrency !== undefined && (!Number.isInteger(fn.reservedConcurrency) || fn.reservedConcurrency < 0)) {
    throw new InvalidFunctionDefinitionError(fn.logicalId, `reserved concurrency must be a whole number, got ${fn.reservedConcurrency}`);
  }
}

/**
 * Runs the stack's functions locally like Lambda: each function runs the code of its deployment
 * asset (the bundle the template names), each warm instance is a worker thread with the function's
 * own environment, reused between invocations;
 * concurrency, timeouts, the `context` object and the log lines are Lambda's.
 *
 * @example
 * const runner = await FunctionRunner.start({ functions, onLog: (e) => console.log(e.functionId, e.line) });
 * const result = await runner.invoke('Ping', event);
 * await runner.close();
 */
export class FunctionRunner implements FunctionInvoker {
  private closing: Promise<void> | undefined;

  private constructor(private readonly pools: ReadonlyMap<string, FunctionPool>) {}

  /**
   * A runner of the functions; instances start on first use. Rejects with
   * InvalidFunctionDefinitionError or FunctionCodeNotFoundError, naming the function.
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- async: a definition it cannot run rejects the promise.
  static async start(options: FunctionRunnerOptions): Promise<FunctionRunner> {
    options.functions.forEach(validate);
    const defaultConcurrency = options.defaultConcurrency ?? DEFAULT_FUNCTION_CONCURRENCY;
    const maxInstances = options.maxInstancesPerFunction ?? os.availableParallelism() + 1;
    const bootstrapFile = workerBootstrapFile();
    const hooks = { onLog: guardListener(options.onLog, 'onLog'), onInvocation: guardListener(options.onInvocation, 'onInvocation') };
    const pools = new Map<string, FunctionPool>();
    for (const fn of options.functions) {
      const bundleFile = path.join(fn.codeDirectory, `${fn.handlerModule ?? 'index'}.js`);
      if (!existsSync(bundleFile)) throw new FunctionCodeNotFoundError(fn.logicalId, bundleFile);
      const functionName = fn.functionName ?? fn.logicalId;
      const logGroupName = `/aws/lambda/${functionName}`;
      const environment: Record<string, string> = {
        AWS_REGION: DEFAULT_REGION,
        AWS_DEFAULT_REGION: DEFAULT_REGION,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...fn.environment,
        // Lambda's reserved variables: the function cannot override them.
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
        AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0] ?? ''}.x`,
        LAMBDA_TASK_ROOT: fn.codeDirectory,
        _HANDLER: `${fn.handlerModule ?? 'index'}.${fn.handlerExport}`,
      };
      const concurrencyLimit = fn.reservedConcurrency ?? defaultConcurrency;
      const init = {
        bundleFile,
        handlerExport: fn.handlerExport,
        functionName,
        invokedFunctionArn: `arn:aws:lambda:${DEFAULT_REGION}:${DEFAULT_ACCOUNT_ID}:function:${functionName}`,
        memorySizeMb: fn.memorySizeMb,
        logGroupName,
        // Lambda honours `--enable-source-maps` in NODE_OPTIONS; so does the runner.
        enableSourceMaps: (environment.NODE_OPTIONS ?? '').split(/\s+/).includes('--enable-source-maps'),
      };
      const poolFunction = { logicalId: fn.logicalId, bootstrapFile, init, environment, timeoutSeconds: fn.timeoutSeconds, concurrencyLimit };
      pools.set(fn.logicalId, new FunctionPool({ ...poolFunction, maxInstances: Math.min(concurrencyLimit, maxInstances) }, hooks));
    }
    return new FunctionRunner(pools);
  }

  /** Invokes a function synchronously, like Lambda's Invoke. Handler errors, timeouts and crashes are InvocationFailures. */
  invoke(functionId: string, event: unknown): Promise<InvocationResult> {
    const pool = this.pools.get(functionId);
    if (pool === undefined) return Promise.reject(new UnknownFunctionError(functionId));
    return pool.invoke(event);
  }

  /** Instances per function. */
  stats(): Record<string, FunctionPoolStats> {
    return Object.fromEntries([...this.pools].map(([id, pool]) => [id, pool.stats()]));
  }

  /** Terminates every worker (invocations in flight fail with `Runtime.Shutdown`). Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= Promise.all([...this.pools.values()].map((pool) => pool.close())).then(() => undefined);
    return this.closing;
  }
}
