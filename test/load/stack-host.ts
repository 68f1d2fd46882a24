/**
 * Child process of the load test: runs the local stack (stage `local`, mode authorizer, every port
 * free) and nothing else, so that its memory can be measured alone. Run with `--expose-gc`: the
 * samples that count are taken after two full collections of the main thread's heap. The functions' worker
 * threads collect on their own schedule; their memory is part of the process's RSS.
 */
import { startLocalStack } from '../../src/local/runtime';
import type { HostMessage, HostRequest, HostStats, MemorySample } from './load-protocol';

const gc = (globalThis as { gc?: () => void }).gc;
const ERROR_SAMPLES = 5;
/**
 * Instances per function. A pool only grows (Lambda keeps instances warm) and, on a machine with
 * idle CPUs, starts an instance whenever two invocations overlap, so under a light steady load it
 * creeps towards its limit for minutes; each instance is a worker thread of ~40 MB of RSS. With 2,
 * what 1,000 notifications a minute need, the pools reach their size during the warm-up, and the
 * RSS after it compares like with like.
 */
const FUNCTION_CONCURRENCY = 2;
/**
 * Every notification stays in its user's inbox for the retention: with the stage's 24 h, the inbox
 * would grow through the whole run, which the memory check would count. With 20 s, and expired items
 * deleted every 5 s (DynamoDB's TTL, emulated), the inbox holds about the last 25 s of
 * notifications, after the warm-up as at the end.
 */
const INBOX_RETENTION_SECONDS = 20;
const TTL_SWEEP_SECONDS = 5;

function send(message: HostMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  if (gc === undefined) throw new Error('stack-host.ts needs node --expose-gc');
  const handshakes: Record<string, number> = {};
  const invocationErrors: Record<string, number> = {};
  const batches = { success: 0, partial: 0, failure: 0 };
  const errorSamples: string[] = [];
  let disconnects = 0;
  let invocations = 0;
  let deleteFailures = 0;
  let gatewayWarnings = 0;
  let errorLines = 0;
  let deliveredPosts = 0;

  const stack = await startLocalStack({
    stage: 'local',
    authMode: 'authorizer',
    port: 0,
    dynamodbPort: 0,
    sqsPort: 0,
    endpointsFile: false,
    functionConcurrency: FUNCTION_CONCURRENCY,
    inboxRetentionSeconds: INBOX_RETENTION_SECONDS,
    ttlSweepSeconds: TTL_SWEEP_SECONDS,
    onLog: (entry) => {
      if (entry.level === 'info') return;
      errorLines += 1;
      if (errorSamples.length < ERROR_SAMPLES) errorSamples.push(`[${entry.name}] ${entry.line.slice(0, 500)}`);
    },
  });
  stack.gateway.on('handshake', (event) => (handshakes[event.outcome] = (handshakes[event.outcome] ?? 0) + 1));
  stack.gateway.on('disconnect', () => (disconnects += 1));
  stack.gateway.on('warning', () => (gatewayWarnings += 1));
  stack.gateway.on('management', (event) => {
    if (event.method === 'POST' && event.status === 200) deliveredPosts += 1;
  });
  stack.onInvocation((event) => {
    if (event.type !== 'end') return;
    invocations += 1;
    if (event.status === 'error') invocationErrors[event.functionId] = (invocationErrors[event.functionId] ?? 0) + 1;
  });
  stack.onBatch((event) => {
    batches[event.outcome] += 1;
    deleteFailures += event.deleteFailures;
  });

  const sample = async (collect: boolean): Promise<MemorySample> => {
    if (collect) {
      gc?.();
      await new Promise((resolve) => setImmediate(resolve));
      gc?.();
    }
    const memory = process.memoryUsage();
    const workers = Object.values(stack.functions.stats()).reduce((sum, pool) => sum + pool.workers, 0);
    return {
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      connections: stack.gateway.connectionCount,
      workers,
      collected: collect,
      takenAt: Date.now(),
    };
  };
  const stats = (): HostStats => ({
    handshakes: { ...handshakes },
    disconnects,
    invocations,
    invocationErrors: { ...invocationErrors },
    batches: { ...batches },
    deleteFailures,
    gatewayWarnings,
    errorLines,
    errorSamples: [...errorSamples],
    deliveredPosts,
    expiredItemsDeleted: stack.dynamodb.expiredItemsDeleted,
  });

  process.on('message', (request: HostRequest) => {
    if (request.type === 'memory') void sample(request.collect).then((memory) => send({ type: 'memory', sample: memory }));
    else if (request.type === 'stats') send({ type: 'stats', stats: stats() });
    else if (request.type === 'close') {
      void stack.close().then(() => {
        send({ type: 'closed' });
        process.disconnect?.();
      });
    }
  });
  // The parent went away without asking: do not outlive it.
  process.on('disconnect', () => void stack.close().finally(() => process.exit(0)));
  send({ type: 'ready', endpoints: stack.endpoints, startupMs: stack.startupMs });
}

main().catch((error: unknown) => {
  process.stderr.write(`stack-host: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
