import os from 'node:os';
import path from 'node:path';
import type { FunctionInvocationEvent, FunctionLogEntry } from '../../../src/local/functions/function-events';
import { FunctionCodeNotFoundError, InvalidFunctionDefinitionError, UnknownFunctionError } from '../../../src/local/functions/function-errors';
import { FunctionRunner, type LocalFunctionDefinition } from '../../../src/local/functions/function-runner';
import type { InvocationResult, InvocationSuccess } from '../../../src/local/functions/invocation';
import { useFixtureBundles } from '../../helpers/fixture-bundles';

const fixture = useFixtureBundles(['behaviours', 'init-error', 'sdk-heavy']);

function definition(logicalId: string, overrides: Partial<LocalFunctionDefinition> = {}): LocalFunctionDefinition {
  return { logicalId, codeDirectory: fixture('behaviours'), handlerExport: 'handler', environment: {}, timeoutSeconds: 3, memorySizeMb: 128, ...overrides };
}

interface EchoPayload {
  readonly instanceId: string;
  readonly invocations: number;
  readonly fixtureName: string | null;
  readonly otherName: string | null;
  readonly lambdaFunctionName: string;
  readonly handlerVariable: string;
  readonly context: Record<string, unknown>;
}

interface SleepPayload {
  readonly instanceId: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

function payloadOf<T>(result: InvocationResult): T {
  expect(result.status).toBe('ok');
  return (result as InvocationSuccess).payload as T;
}

describe('Class: FunctionRunner', () => {
  const logs: FunctionLogEntry[] = [];
  const events: FunctionInvocationEvent[] = [];
  let runner: FunctionRunner;

  beforeAll(async () => {
    runner = await FunctionRunner.start({
      functions: [
        definition('Alpha', { environment: { FIXTURE_NAME: 'alpha' }, functionName: 'ws-notify-local-Alpha' }),
        definition('Beta', { environment: { FIXTURE_NAME: 'beta', OTHER_FIXTURE_NAME: 'only-beta' }, memorySizeMb: 256 }),
        definition('Slow', { timeoutSeconds: 0.5 }),
        definition('Single', { reservedConcurrency: 1 }),
        definition('Throttled', { reservedConcurrency: 0 }),
        definition('Crashy'),
        definition('InitFails', { codeDirectory: fixture('init-error') }),
        definition('NoHandler', { handlerExport: 'missing' }),
        definition('Heavy', { codeDirectory: fixture('sdk-heavy'), memorySizeMb: 256 }),
      ],
      onLog: (entry) => logs.push(entry),
      onInvocation: (event) => events.push(event),
    });
  });

  afterAll(async () => {
    await runner.close();
  });

  describe('Method: start', () => {
    it('rejects a definition it cannot run, naming the function', async () => {
      // Act & Assess
      await expect(FunctionRunner.start({ functions: [definition('Bad', { timeoutSeconds: 0 })] })).rejects.toThrow(InvalidFunctionDefinitionError);
    });

    it('reports a function whose handler module is not in its code directory, naming the file', async () => {
      // Act
      const missing = FunctionRunner.start({ functions: [definition('Missing', { codeDirectory: path.join(fixture('behaviours'), 'does-not-exist') })] });
      const wrongModule = FunctionRunner.start({ functions: [definition('WrongModule', { handlerModule: 'main' })] });

      // Assess
      await expect(missing).rejects.toThrow(FunctionCodeNotFoundError);
      await expect(missing).rejects.toThrow(`function "Missing": its handler module ${path.join(fixture('behaviours'), 'does-not-exist', 'index.js')} does not exist`);
      await expect(wrongModule).rejects.toThrow(/function "WrongModule": its handler module .*main\.js does not exist/);
    });
  });

  describe('Method: invoke', () => {
    it('gives each function its own environment and a Lambda context', async () => {
      // Act
      const alpha = payloadOf<EchoPayload>(await runner.invoke('Alpha', { action: 'echo' }));
      const beta = payloadOf<EchoPayload>(await runner.invoke('Beta', { action: 'echo' }));

      // Assess
      expect(alpha.fixtureName).toBe('alpha');
      expect(alpha.otherName).toBeNull();
      expect(beta.fixtureName).toBe('beta');
      expect(beta.otherName).toBe('only-beta');
      expect(alpha.lambdaFunctionName).toBe('ws-notify-local-Alpha');
      expect(alpha.handlerVariable).toBe('index.handler');
      expect(alpha.context).toEqual({
        awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
        functionName: 'ws-notify-local-Alpha',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ws-notify-local-Alpha',
        memoryLimitInMB: '128',
        logGroupName: '/aws/lambda/ws-notify-local-Alpha',
        logStreamName: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/) as unknown,
        remainingTimeInMillis: expect.any(Number) as unknown,
        callbackWaitsForEmptyEventLoop: true,
      });
      expect(alpha.context.remainingTimeInMillis).toBeLessThanOrEqual(3000);
      expect(alpha.context.remainingTimeInMillis).toBeGreaterThan(0);
      expect(beta.context.memoryLimitInMB).toBe('256');
    });

    it('reuses a warm instance: one cold start, then warm invocations of the same instance', async () => {
      // Prepare: Beta has an instance (this invocation starts it unless an earlier test did).
      await runner.invoke('Beta', { action: 'echo' });

      // Act
      const first = await runner.invoke('Beta', { action: 'echo' });
      const second = await runner.invoke('Beta', { action: 'echo' });

      // Assess
      expect(first.coldStart).toBe(false);
      expect(second.coldStart).toBe(false);
      expect(payloadOf<EchoPayload>(second).instanceId).toBe(payloadOf<EchoPayload>(first).instanceId);
      expect(payloadOf<EchoPayload>(second).invocations).toBe(payloadOf<EchoPayload>(first).invocations + 1);
      expect(runner.stats().Beta).toMatchObject({ workers: 1, idle: 1, busy: 0 });
    });

    it('runs two slow invocations at once in two instances', async () => {
      // Act
      const [a, b] = await Promise.all([runner.invoke('Alpha', { action: 'sleep', ms: 500 }), runner.invoke('Alpha', { action: 'sleep', ms: 500 })]);

      // Assess
      const first = payloadOf<SleepPayload>(a);
      const second = payloadOf<SleepPayload>(b);
      expect(first.instanceId).not.toBe(second.instanceId);
      // They overlapped: each started before the other ended.
      expect(first.startedAt).toBeLessThan(second.endedAt);
      expect(second.startedAt).toBeLessThan(first.endedAt);
      expect([a.coldStart, b.coldStart].filter(Boolean)).toHaveLength(1);
    });

    it('queues invocations beyond the reserved concurrency instead of starting more instances', async () => {
      // Act
      const [a, b] = await Promise.all([runner.invoke('Single', { action: 'sleep', ms: 200 }), runner.invoke('Single', { action: 'sleep', ms: 200 })]);

      // Assess
      const first = payloadOf<SleepPayload>(a);
      const second = payloadOf<SleepPayload>(b);
      expect(second.instanceId).toBe(first.instanceId);
      const [earlier, later] = first.startedAt <= second.startedAt ? [first, second] : [second, first];
      expect(later.startedAt).toBeGreaterThanOrEqual(earlier.endedAt);
      expect(runner.stats().Single).toMatchObject({ workers: 1, concurrencyLimit: 1 });
    });

    it('throttles a function whose reserved concurrency is 0', async () => {
      // Act
      const result = await runner.invoke('Throttled', { action: 'echo' });

      // Assess
      expect(result).toMatchObject({ status: 'error', errorType: 'TooManyRequestsException' });
      expect(runner.stats().Throttled?.workers).toBe(0);
    });

    it('fails an invocation that runs past the timeout and replaces the instance on next use', async () => {
      // Prepare
      const before = payloadOf<EchoPayload>(await runner.invoke('Slow', { action: 'echo' }));

      // Act
      const timedOut = await runner.invoke('Slow', { action: 'sleep', ms: 5000 });
      const after = await runner.invoke('Slow', { action: 'echo' });

      // Assess
      expect(timedOut).toMatchObject({ status: 'error', errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 0.50 seconds', coldStart: false });
      expect(after.coldStart).toBe(true);
      expect(payloadOf<EchoPayload>(after).instanceId).not.toBe(before.instanceId);
      const timeoutLines = logs.filter((entry) => entry.functionId === 'Slow' && entry.line.includes('Task timed out after 0.50 seconds'));
      expect(timeoutLines).toHaveLength(1);
      expect(logs.some((entry) => entry.functionId === 'Slow' && entry.line.startsWith('REPORT') && entry.line.endsWith('Status: timeout'))).toBe(true);
    });

    it('turns a thrown error into an InvocationFailure and keeps the instance warm', async () => {
      // Prepare
      const before = payloadOf<EchoPayload>(await runner.invoke('Crashy', { action: 'echo' }));

      // Act
      const failed = await runner.invoke('Crashy', { action: 'throw', message: 'name is required' });
      const after = payloadOf<EchoPayload>(await runner.invoke('Crashy', { action: 'echo' }));

      // Assess
      expect(failed).toMatchObject({ status: 'error', errorType: 'FixtureValidationError', errorMessage: 'name is required', coldStart: false });
      expect(after.instanceId).toBe(before.instanceId);
      const invokeError = logs.find((entry) => entry.functionId === 'Crashy' && entry.line.includes('Invoke Error'));
      expect(invokeError?.stream).toBe('stderr');
      expect(invokeError?.line).toContain('"errorType":"FixtureValidationError"');
    });

    it('discards an instance whose worker exits, and starts a new one on next use', async () => {
      // Prepare
      const before = payloadOf<EchoPayload>(await runner.invoke('Crashy', { action: 'echo' }));

      // Act
      const crashed = await runner.invoke('Crashy', { action: 'exit' });
      const after = await runner.invoke('Crashy', { action: 'echo' });

      // Assess
      expect(crashed).toMatchObject({ status: 'error', errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error: exit status 3' });
      expect(after.coldStart).toBe(true);
      expect(payloadOf<EchoPayload>(after).instanceId).not.toBe(before.instanceId);
    });

    it('fails the invocation on an unhandled promise rejection, as the Lambda runtime does', async () => {
      // Act
      const result = await runner.invoke('Crashy', { action: 'unhandled' });
      const after = await runner.invoke('Crashy', { action: 'echo' });

      // Assess
      expect(result).toMatchObject({ status: 'error', errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: nobody awaits me' });
      expect(after.coldStart).toBe(true);
    });

    it('fails a return value that JSON cannot represent with Runtime.MarshalError', async () => {
      // Act
      const result = await runner.invoke('Crashy', { action: 'unserializable' });

      // Assess
      expect(result).toMatchObject({ status: 'error', errorType: 'Runtime.MarshalError' });
    });

    it('reports init failures: an error thrown while loading and a missing handler export', async () => {
      // Act
      const initError = await runner.invoke('InitFails', {});
      const noHandler = await runner.invoke('NoHandler', { action: 'echo' });

      // Assess
      expect(initError).toMatchObject({ status: 'error', errorType: 'Error', errorMessage: 'FIXTURE_REQUIRED is missing at init', coldStart: true });
      expect(noHandler).toMatchObject({ status: 'error', errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.missing is undefined or not exported' });
    });

    it('rejects an unknown logical id (a wiring bug, not a function error)', async () => {
      // Act & Assess
      await expect(runner.invoke('Nope', {})).rejects.toThrow(UnknownFunctionError);
    });

    it('measures the cold start of a function that loads the AWS SDK, Powertools, jose and io-ts', async () => {
      // Act
      const started = performance.now();
      const cold = await runner.invoke('Heavy', { name: 'x' });
      const coldMs = performance.now() - started;
      const warmStarted = performance.now();
      const warm = await runner.invoke('Heavy', { name: 'x' });
      const warmMs = performance.now() - warmStarted;

      // Assess
      expect(cold).toMatchObject({ status: 'ok', coldStart: true, payload: { valid: true, clients: 3 } });
      expect(warm).toMatchObject({ status: 'ok', coldStart: false });
      const end = events.find((event) => event.type === 'end' && event.functionId === 'Heavy' && event.coldStart);
      const init = end?.type === 'end' ? end.initDurationMs : undefined;
      console.log(`sdk-heavy function: cold invocation ${coldMs.toFixed(1)} ms (Init Duration ${init?.toFixed(1)} ms), warm invocation ${warmMs.toFixed(2)} ms`);
      expect(init).toBeGreaterThan(0);
    });
  });

  describe('Logs and events', () => {
    it('writes INIT_START, START, the function output, END and REPORT, with Init Duration only on the cold start', async () => {
      // Prepare
      const localLogs: FunctionLogEntry[] = [];
      const local = await FunctionRunner.start({ functions: [definition('Logger')], onLog: (entry) => localLogs.push(entry) });

      // Act
      const cold = await local.invoke('Logger', { action: 'log' });
      const warm = await local.invoke('Logger', { action: 'log' });
      await local.close();

      // Assess
      expect(cold.coldStart).toBe(true);
      expect(warm.coldStart).toBe(false);
      expect(localLogs[0]).toMatchObject({ stream: 'platform', line: expect.stringMatching(/^INIT_START Runtime Version: nodejs:\d+\.\d+\.\d+/) as unknown });
      expect(localLogs[0]?.requestId).toBeUndefined();
      expect(localLogs.filter((entry) => entry.line.startsWith('INIT_START'))).toHaveLength(1);
      const [coldRequest, warmRequest] = localLogs.filter((entry) => entry.line.startsWith('START')).map((entry) => entry.requestId ?? '');
      const ofCold = localLogs.filter((entry) => entry.requestId === coldRequest);
      expect(ofCold.map((entry) => (entry.stream === 'platform' ? entry.line.split(' ')[0] : entry.stream))).toEqual(['START', 'stdout', 'stderr', 'stdout', 'END', 'REPORT']);
      expect(ofCold[0]?.line).toBe(`START RequestId: ${coldRequest} Version: $LATEST`);
      expect(ofCold[1]?.line).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\t${coldRequest}\\tINFO\\thello from ${coldRequest}$`));
      expect(ofCold[2]?.line).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\t${coldRequest}\\tERROR\\tan error line$`));
      expect(ofCold[3]?.line).toBe('raw write');
      expect(ofCold[4]?.line).toBe(`END RequestId: ${coldRequest}`);
      const reports = localLogs.filter((entry) => entry.line.startsWith('REPORT'));
      expect(reports.map((entry) => entry.requestId)).toEqual([coldRequest, warmRequest]);
      expect(reports[0]?.line).toMatch(/^REPORT RequestId: \S+\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d{2} ms$/);
      expect(reports[1]?.line).not.toContain('Init Duration');
    });

    it('reports the start and end of every invocation, with the cold start and the error', async () => {
      // Act
      await runner.invoke('Alpha', { action: 'throw', message: 'for the console' });

      // Assess
      const end = events.filter((event) => event.type === 'end' && event.functionId === 'Alpha').pop();
      expect(end).toMatchObject({ type: 'end', status: 'error', errorType: 'FixtureValidationError', errorMessage: 'for the console', coldStart: false });
      const start = events.find((event) => event.type === 'start' && event.requestId === end?.requestId);
      expect(start).toMatchObject({ type: 'start', functionId: 'Alpha', coldStart: false });
    });
  });

  describe('Scaling', () => {
    let scaled: FunctionRunner | undefined;

    afterEach(async () => {
      await scaled?.close();
      scaled = undefined;
    });

    it('runs at most maxInstancesPerFunction instances of a function: the other invocations wait for a free one', async () => {
      // Prepare
      scaled = await FunctionRunner.start({ functions: [definition('Busy')], maxInstancesPerFunction: 2 });
      const runner2 = scaled;

      // Act: six invocations that each await a 150 ms timer (instances that could run more at once).
      const results = await Promise.all(Array.from({ length: 6 }, () => runner2.invoke('Busy', { action: 'sleep', ms: 150 })));

      // Assess
      const instances = new Set(results.map((result) => payloadOf<SleepPayload>(result).instanceId));
      expect(instances.size).toBe(2);
      expect(runner2.stats().Busy).toMatchObject({ workers: 2, concurrencyLimit: 10, maxInstances: 2 });
    });

    it('caps a function at its reserved concurrency when that is lower, and defaults the cap to the CPUs + 1', async () => {
      // Prepare
      scaled = await FunctionRunner.start({ functions: [definition('Reserved', { reservedConcurrency: 1 }), definition('Free')], maxInstancesPerFunction: 4 });

      // Act
      const { Reserved: reserved, Free: free } = scaled.stats();

      // Assess
      expect([reserved?.maxInstances, free?.maxInstances]).toEqual([1, 4]);
      expect(runner.stats().Alpha?.maxInstances).toBe(Math.min(10, os.availableParallelism() + 1));
    });
  });

  describe('Method: close', () => {
    it('terminates every worker, fails later invocations, and can be called twice', async () => {
      // Prepare
      const local = await FunctionRunner.start({ functions: [definition('One'), definition('Two')] });
      await Promise.all([local.invoke('One', { action: 'echo' }), local.invoke('One', { action: 'sleep', ms: 50 }), local.invoke('Two', { action: 'echo' })]);
      expect(local.stats().One?.workers).toBe(2);
      const inFlight = local.invoke('Two', { action: 'sleep', ms: 10_000 });

      // Act
      await Promise.all([local.close(), local.close()]);

      // Assess
      expect(local.stats()).toEqual({
        One: expect.objectContaining({ workers: 0, idle: 0, busy: 0 }) as unknown,
        Two: expect.objectContaining({ workers: 0, idle: 0, busy: 0 }) as unknown,
      });
      await expect(inFlight).resolves.toMatchObject({ status: 'error', errorType: 'Runtime.Shutdown' });
      await expect(local.invoke('One', { action: 'echo' })).resolves.toMatchObject({ status: 'error', errorType: 'Runtime.Shutdown' });
    });
  });
});
