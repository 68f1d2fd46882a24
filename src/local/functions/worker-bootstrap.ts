/**
 * Runs inside a function instance's worker thread, like the Lambda Node.js runtime inside its
 * sandbox: loads the function's bundle once (the init phase), then runs one invocation at a time
 * with a Lambda `context`. Console output is formatted as the Lambda runtime formats it
 * (`<ISO time>\t<request id>\t<LEVEL>\t<message>`), and everything written to stdout/stderr is
 * sent to the main thread on the same port as the results, so each line is attributed to the right
 * request and arrives before that request's result.
 *
 * This file is compiled alone (worker-bootstrap-file.ts) and never imported by the main thread.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { format } from 'node:util';
import type { InvokeMessage, SerializedError, WorkerInit, WorkerMessage } from './worker-protocol';

type Handler = (event: unknown, context: unknown) => unknown;

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('worker-bootstrap must run in a worker thread');

let currentRequestId: string | undefined;

function send(message: WorkerMessage): void {
  port?.postMessage(message);
}

function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, ...(error.stack !== undefined ? { stack: error.stack.split('\n') } : {}) };
  }
  return { errorType: typeof error, errorMessage: String(error) };
}

function routeStream(stream: NodeJS.WriteStream, name: 'stdout' | 'stderr'): void {
  stream.write = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    const encoding = typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : 'utf8';
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(encoding);
    send({ type: 'log', stream: name, text, ...(currentRequestId !== undefined ? { requestId: currentRequestId } : {}) });
    if (typeof done === 'function') process.nextTick(done);
    return true;
  };
}

function lambdaLine(level: string, args: unknown[]): string {
  return `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${format(...args)}\n`;
}

function logError(label: string, error: SerializedError): void {
  process.stderr.write(lambdaLine('ERROR', [`${label} \t${JSON.stringify(error)}`]));
}

function exitWith(label: string, error: SerializedError): void {
  logError(label, error);
  send({ type: 'fatal', error });
  process.exit(1);
}

routeStream(process.stdout, 'stdout');
routeStream(process.stderr, 'stderr');
for (const [method, level, stream] of [
  ['log', 'INFO', process.stdout],
  ['info', 'INFO', process.stdout],
  ['debug', 'DEBUG', process.stdout],
  ['trace', 'TRACE', process.stdout],
  ['warn', 'WARN', process.stderr],
  ['error', 'ERROR', process.stderr],
] as const) {
  console[method] = (...args: unknown[]) => void stream.write(lambdaLine(level, args));
}

process.on('unhandledRejection', (reason) => {
  const cause = serializeError(reason);
  exitWith('Unhandled Promise Rejection', {
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage: `${cause.errorType}: ${cause.errorMessage}`,
    ...(cause.stack !== undefined ? { stack: cause.stack } : {}),
  });
});
process.on('uncaughtException', (error) => {
  exitWith('Uncaught Exception', serializeError(error));
});

function loadHandler(): Handler {
  if (init.enableSourceMaps) process.setSourceMapsEnabled(true);
  // The bundle is CommonJS; a plain require runs its top-level code: Lambda's init phase.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exports = require(init.bundleFile) as Record<string, unknown>;
  const handler = exports[init.handlerExport];
  if (typeof handler !== 'function') {
    const error = new Error(`index.${init.handlerExport} is undefined or not exported`);
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  return handler as Handler;
}

function createContext(message: InvokeMessage): Record<string, unknown> {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: init.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: init.invokedFunctionArn,
    memoryLimitInMB: String(init.memorySizeMb),
    awsRequestId: message.requestId,
    logGroupName: init.logGroupName,
    logStreamName: init.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
  };
}

async function invoke(handler: Handler, message: InvokeMessage): Promise<void> {
  currentRequestId = message.requestId;
  const started = performance.now();
  let payloadJson: string | undefined;
  let error: SerializedError | undefined;
  try {
    const result: unknown = await handler(message.event, createContext(message));
    try {
      payloadJson = JSON.stringify(result) ?? 'null';
    } catch (cause) {
      const serialized = serializeError(cause);
      error = { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${serialized.errorMessage}` };
    }
  } catch (thrown) {
    error = serializeError(thrown);
  }
  const durationMs = performance.now() - started;
  if (error !== undefined) logError('Invoke Error', error);
  send({
    type: 'result',
    requestId: message.requestId,
    durationMs,
    // The heap only: process.memoryUsage() would also read the resident set from /proc on every invocation.
    memoryUsedBytes: getHeapStatistics().used_heap_size,
    ...(error !== undefined ? { error } : { payloadJson }),
  });
  currentRequestId = undefined;
}

const initStarted = performance.now();
let handler: Handler;
try {
  handler = loadHandler();
  send({ type: 'init', initDurationMs: performance.now() - initStarted });
  port.on('message', (message: InvokeMessage) => {
    if (message.type === 'invoke') void invoke(handler, message);
  });
} catch (error) {
  const serialized = serializeError(error);
  const isMissingModule = error instanceof Error && (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
  const reported = isMissingModule ? { ...serialized, errorType: 'Runtime.ImportModuleError' } : serialized;
  logError('Init Error', reported);
  send({ type: 'init', initDurationMs: performance.now() - initStarted, error: reported });
}
