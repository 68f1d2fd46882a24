/**
 * The local runtime: the stage's synthesized stack running on this machine. Everything is built
 * from the template (src/local/template): the gateway's routes and authorizer, the functions with
 * their environment, the table, the queues and the event source mappings.
 *
 * @example
 * const stack = await startLocalStack({ stage: 'local', port: 0, dynamodbPort: 0, sqsPort: 0 });
 * console.log(stack.endpoints.websocketUrl);
 * await stack.close();
 */
import path from 'node:path';
import { getStage, maxTokenLifetimeSecondsOf, withOverrides, type AuthMode, type StageConfig } from '../../infra/stages';
import { CONNECTIONS_TABLE_NAME } from '../../infra/template-metadata';
import type { WsNotifyStack } from '../../infra/ws-notify-stack';
import {
  endpointsFilePath,
  removeEndpointsFile,
  writeEndpointsFile,
  type StageEndpoints,
} from '../tooling/endpoints-file';
import { ensureStageKeyPair, readStagePublicJwk } from '../tooling/stage-keys';
import { appStackStage, LOCAL_JWKS_PATH, serveLocalJwks, withLocalTokenKey } from './app-stack';
import type { FunctionInvocationEvent } from './functions/function-events';
import { ReservedCapacity } from './functions/reserved-capacity';
import { DEFAULT_FUNCTION_CONCURRENCY, FunctionRunner, type LocalFunctionDefinition } from './functions/function-runner';
import { guardListener } from './functions/guard-listener';
import type { FunctionInvoker } from './functions/invocation';
import { WebSocketGateway, type HttpFallbackHandler } from './gateway';
import type { DisconnectDropOptions } from './gateway/disconnect-drops';
import { randomApiId } from './gateway/ids';
import type { PollerBatchEvent } from './pollers/poller-events';
import { QueuePollers } from './pollers/queue-pollers';
import { EmbeddedDynamoDb } from './services/embedded-dynamodb';
import { EmbeddedSqs } from './services/embedded-sqs';
import type { FaultCounts, FaultOptions } from './services/fault-injection';
import { requestObserver, type ServiceName, type ServiceRequestEvent } from './services/request-interceptors';
import type { SqsDuplicateOptions } from './services/sqs-duplicates';
import { createLocalIntrinsicContext } from './template/local-intrinsic-context';
import { shortVisibilityTimeouts } from './template/read-event-source-mappings';
import { readStackTemplate } from './template/read-stack-template';
import { resolveToString } from './template/resolve-intrinsics';
import type { StackModel } from './template/stack-model';
import { synthesizeApp, type SynthesizeAppOptions } from './template/synthesize-app';
import type * as SynthesizeStackTemplateModule from './template/synthesize-stack-template';
import type { SynthesizedStackTemplate, SynthesizeStackTemplateOptions } from './template/synthesize-stack-template';

export { AppSynthesisError } from './template/synthesize-app';

/** Defaults of `ws-notify start` (docs/local.md): ports 3001–3003, away from DynamoDB Local's 8000 and ElasticMQ's 9324. */
export const LOCAL_DEFAULTS = {
  stage: 'local',
  port: 3001,
  dynamodbPort: 3002,
  sqsPort: 3003,
  /** How often expired items are deleted from the embedded DynamoDB, seconds. */
  ttlSweepSeconds: 60,
} as const;

/** The node_modules that holds this runtime's AWS SDK v3: the Lambda runtime's SDK locally. */
const RUNTIME_MODULES_DIRECTORY = path.resolve(path.dirname(require.resolve('@aws-sdk/client-sqs/package.json')), '..', '..');

/**
 * Injected faults by service (fault-injection.ts). `sqs` spares the queue pollers, which stand for
 * AWS's event source mapping service (docs/reliability.md); `management` is the `@connections` API.
 */
export type LocalFaults = Partial<Record<ServiceName, FaultOptions>>;

export interface LocalStackOptions {
  /** Declared stage to run (infra/stages.ts). Default `local`. */
  readonly stage?: string;
  /** A CDK app of your own holding the WsNotify construct, run instead of a stage (docs/local.md); the stage options are ignored then. */
  readonly app?: SynthesizeAppOptions;
  /** Overrides of the stage's auth mode, authorize deadline (s), allowed origins and inbox retention (s). */
  readonly authMode?: AuthMode;
  readonly authorizeTimeoutSeconds?: number;
  readonly allowedOrigins?: readonly string[];
  readonly inboxRetentionSeconds?: number;
  /** Ports of the gateway (WebSocket, Management API, console), DynamoDB and SQS. Default 3001, 3002, 3003; 0 = any free port. */
  readonly port?: number;
  readonly dynamodbPort?: number;
  readonly sqsPort?: number;
  /** The connection limits, in seconds (AWS: 600 idle, 7200 in all). */
  readonly idleTimeoutSeconds?: number;
  readonly maxConnectionDurationSeconds?: number;
  /** Every queue's visibility timeout instead of the template's (tests: retries in about a second). */
  readonly visibilityTimeoutSeconds?: number;
  /** Concurrency of a function without reserved concurrency or a mapping without MaximumConcurrency. Default 10. */
  readonly functionConcurrency?: number;
  /** Most instances of one function at once instead of the CPUs + 1, for functions that mostly wait (SDK back-off under faults). */
  readonly maxInstancesPerFunction?: number;
  /** Inject throttling / 5xx errors, or hangs, into that fraction of DynamoDB, SQS or Management API calls. */
  readonly faults?: LocalFaults;
  /** Global secondary indexes see writes this many ms late, as on AWS (index-lag.ts). Default 0; later `dynamodb.indexLag.setLag`. */
  readonly indexLagMs?: number;
  /** How often expired items are deleted, as DynamoDB's TTL does (late) on AWS. Default 60; 0: never (reads ignore them). */
  readonly ttlSweepSeconds?: number;
  /** Deliver that fraction of the messages the mappings receive twice (sqs-duplicates.ts); later `sqs.duplicates.set`. */
  readonly sqsDuplicates?: SqsDuplicateOptions;
  /** Never invoke that fraction of `$disconnect`s, as AWS may not. Change it later with `gateway.disconnectDrops.set`. */
  readonly dropDisconnects?: DisconnectDropOptions;
  /** Wraps the gateway's invoker (authorizer and routes, not the pollers): a test holds a `$connect` open this way. */
  readonly wrapGatewayInvoker?: (invoker: FunctionInvoker) => FunctionInvoker;
  /** Changes the stack before synthesis (a test adds a route this way). */
  readonly configureStack?: (stack: WsNotifyStack) => void;
  /**
   * Makes the stack's template from the stage and `configureStack`. Default: synthesizeStackTemplate (the CDK,
   * loaded on first use); `start --template` reads a file (template-file.ts), tests reuse templates synthesized once.
   */
  readonly synthesize?: (options: SynthesizeStackTemplateOptions) => SynthesizedStackTemplate;
  /** Where to publish the endpoints; default `.local/<stage>/endpoints.json`; `false` for none. */
  readonly endpointsFile?: string | false;
  /** Serves plain HTTP GETs on the gateway's port (the web console). */
  readonly httpFallback?: HttpFallbackHandler;
  /** Every log line of the functions, the pollers and the gateway. Default: dropped. */
  readonly onLog?: (entry: LocalLogEntry) => void;
  /** Every call the embedded DynamoDB and SQS and the Management API answer, the pollers' included (the bench counts them). */
  readonly onServiceRequest?: (event: ServiceRequestEvent) => void;
}

export type { ServiceRequestEvent } from './services/request-interceptors';

/** Where start-up time went, ms: keys, synth and template reading, services, gateway, function runner, pollers and endpoints file. */
export type StartupPhases = Readonly<Record<'keys' | 'synth' | 'services' | 'gateway' | 'functions' | 'pollers', number>>;

export interface LocalLogEntry {
  /** `function`: a function's output or Lambda's platform lines; `poller`; `gateway` (warnings); `dynamodb` (TTL sweep failures). */
  readonly source: 'function' | 'poller' | 'gateway' | 'dynamodb';
  /** Function logical id, mapping id, or `gateway`. */
  readonly name: string;
  readonly line: string;
  readonly level: 'info' | 'warn' | 'error';
}

export interface LocalStack {
  readonly stage: StageConfig;
  readonly stackName: string;
  readonly model: StackModel;
  readonly endpoints: StageEndpoints;
  /** The endpoints file written, if any. */
  readonly endpointsFile: string | undefined;
  readonly gateway: WebSocketGateway;
  readonly functions: FunctionRunner;
  readonly dynamodb: EmbeddedDynamoDb;
  readonly sqs: EmbeddedSqs;
  readonly pollers: QueuePollers;
  /** Start-up time, milliseconds. */
  readonly startupMs: number;
  readonly startupPhases: StartupPhases;
  /** Observers of function invocations, queue batches and the functions' log lines (console, tests). */
  onInvocation(listener: (event: FunctionInvocationEvent) => void): () => void;
  onBatch(listener: (event: PollerBatchEvent) => void): () => void;
  onFunctionLog(listener: (entry: LocalLogEntry) => void): () => void;
  /** Faults injected so far, by service (change them with each service's `faults.set`). */
  faultCounts(): Record<ServiceName, FaultCounts>;
  /** Closes every client (1001), runs their `$disconnect`, stops pollers, functions and services. Safe to call twice. */
  close(): Promise<void>;
}

function listeners<T>() {
  const set = new Set<(event: T) => void>();
  return {
    emit: (event: T) => set.forEach((listener) => listener(event)),
    add: (listener: (event: T) => void) => {
      set.add(listener);
      return () => void set.delete(listener);
    },
  };
}

/** Runs every closer in order even when one fails; then throws the error, or an AggregateError of them. */
async function closeInOrder(closers: readonly ((() => Promise<void>) | undefined)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const close of closers) await close?.().catch((error: unknown) => errors.push(error));
  if (errors.length === 1 && errors[0] instanceof Error) throw errors[0];
  if (errors.length > 0) throw new AggregateError(errors, 'the local stack did not close cleanly');
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const startedAt = performance.now();
  const phases: Record<keyof StartupPhases, number> = { keys: 0, synth: 0, services: 0, gateway: 0, functions: 0, pollers: 0 };
  let phaseStartedAt = startedAt;
  /** Records the time since the previous phase ended as that phase's. */
  const endPhase = (name: keyof StartupPhases): void => {
    const now = performance.now();
    phases[name] = now - phaseStartedAt;
    phaseStartedAt = now;
  };
  let stage: StageConfig | undefined =
    options.app === undefined
      ? withOverrides(getStage(options.stage ?? LOCAL_DEFAULTS.stage), {
          authMode: options.authMode,
          authorizeDeadlineSeconds: options.authorizeTimeoutSeconds,
          allowedOrigins: options.allowedOrigins,
          inboxRetentionSeconds: options.inboxRetentionSeconds,
        })
      : undefined;
  const log = options.onLog ?? (() => undefined);
  const ttlSweepSeconds = options.ttlSweepSeconds ?? LOCAL_DEFAULTS.ttlSweepSeconds;
  const onServiceRequest = options.onServiceRequest === undefined ? undefined : guardListener(options.onServiceRequest, 'onServiceRequest');
  const invocations = listeners<FunctionInvocationEvent>();
  const functionLogs = listeners<LocalLogEntry>();
  const batches = listeners<PollerBatchEvent>();
  // Shutdown order: endpoints file, pollers, gateway (its $disconnect calls still reach the
  // functions), functions, services.
  const started: Partial<Record<'endpointsFile' | 'pollers' | 'gateway' | 'runner' | 'services' | 'assembly', () => Promise<void>>> = {};
  const shutdown = () => closeInOrder([started.endpointsFile, started.pollers, started.gateway, started.runner, started.services, started.assembly]);

  try {
    let stackName: string;
    let model: StackModel;
    if (stage !== undefined) {
      if (stage.jwt.keySource.kind === 'generated') await ensureStageKeyPair(stage.name);
      endPhase('keys');
      const synthesize =
        options.synthesize ??
        // Loaded here, on first use: it loads the CDK, which a caller bringing its own synthesis never needs.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('./template/synthesize-stack-template') as typeof SynthesizeStackTemplateModule).synthesizeStackTemplate;
      const synthesized = synthesize({ stage, configure: options.configureStack });
      stackName = synthesized.stackName;
      model = readStackTemplate(synthesized.template, { stackName, assemblyDirectory: synthesized.assemblyDirectory });
      endPhase('synth');
    } else {
      // An app's stack: the app synthesizes it, its stage is read from the template, and its
      // tokens are signed with a key of the runtime's (app-stack.ts).
      const app = await synthesizeApp(options.app ?? { directory: '' });
      started.assembly = () => Promise.resolve(app.remove());
      stackName = app.stackName;
      model = readStackTemplate(app.template, { stackName, assemblyDirectory: app.assemblyDirectory });
      stage = appStackStage(model);
      endPhase('synth');
      await ensureStageKeyPair(stage.name);
      endPhase('keys');
    }
    for (const line of shortVisibilityTimeouts(model, options.visibilityTimeoutSeconds)) log({ source: 'poller', name: 'event-source-mapping', line, level: 'warn' });
    const runStage = stage;
    const namePrefix = `${stackName}-`;

    // Both services start at once; when one fails (a busy port), the other is closed all the same.
    const [dynamodbStart, sqsStart] = await Promise.allSettled([
      EmbeddedDynamoDb.start({
        tables: Object.values(model.tables),
        port: options.dynamodbPort ?? LOCAL_DEFAULTS.dynamodbPort,
        namePrefix,
        faults: options.faults?.dynamodb,
        indexLagMs: options.indexLagMs,
        ...(ttlSweepSeconds > 0 && {
          ttlSweepIntervalMs: ttlSweepSeconds * 1000,
          onTtlSweepError: (error: unknown) =>
            log({ source: 'dynamodb', name: 'ttl-sweep', line: `TTL sweep failed (the next one runs as planned): ${error instanceof Error ? error.message : String(error)}`, level: 'warn' }),
        }),
      }),
      EmbeddedSqs.start({
        queues: Object.values(model.queues),
        port: options.sqsPort ?? LOCAL_DEFAULTS.sqsPort,
        namePrefix,
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
        faults: options.faults?.sqs,
        duplicates: options.sqsDuplicates,
      }),
    ]);
    started.services = () =>
      closeInOrder([sqsStart, dynamodbStart].map((start) => (start.status === 'fulfilled' ? () => start.value.close() : undefined)));
    if (dynamodbStart.status === 'rejected') throw dynamodbStart.reason;
    if (sqsStart.status === 'rejected') throw sqsStart.reason;
    const dynamodb = dynamodbStart.value;
    const sqs = sqsStart.value;
    endPhase('services');

    // An app's stack: the gateway also serves the JWKS its verifying functions get their key from.
    const localJwk = options.app === undefined ? undefined : readStagePublicJwk(runStage.name);
    const httpFallback = localJwk === undefined ? options.httpFallback : serveLocalJwks(localJwk, options.httpFallback);
    // The functions start once the gateway's port is known (their environment holds it): invocations before that wait.
    let runnerStarted: (runner: FunctionRunner) => void = () => undefined;
    const runnerReady = new Promise<FunctionRunner>((resolve) => (runnerStarted = resolve));
    const invoker: FunctionInvoker = { invoke: async (functionId, event) => (await runnerReady).invoke(functionId, event) };
    const apiId = randomApiId();
    const reservingFunctions = new Set(Object.values(model.functions).filter((fn) => (fn.reservedConcurrency ?? 0) > 0).map((fn) => fn.name));
    const gatewayInvoker = new ReservedCapacity(invoker, reservingFunctions);
    const gateway = new WebSocketGateway({
      stage: model.api.stageName,
      routes: model.api.routes,
      routeSelectionExpression: model.api.routeSelectionExpression,
      authorizer: model.api.authorizer,
      invoker: options.wrapGatewayInvoker === undefined ? gatewayInvoker : options.wrapGatewayInvoker(gatewayInvoker),
      apiId,
      port: options.port ?? LOCAL_DEFAULTS.port,
      limits: { idleTimeoutSeconds: options.idleTimeoutSeconds, maxConnectionDurationSeconds: options.maxConnectionDurationSeconds },
      httpFallback,
      faults: options.faults?.management,
      dropDisconnects: options.dropDisconnects,
    });
    gateway.on('warning', (warning) => log({ source: 'gateway', name: 'gateway', line: warning.message, level: 'warn' }));
    if (onServiceRequest !== undefined) {
      for (const service of [dynamodb, sqs, gateway]) service.interceptors.add(requestObserver(onServiceRequest));
    }
    const address = await gateway.listen();
    started.gateway = () => gateway.close();
    endPhase('gateway');

    const gatewayOrigin = `127.0.0.1:${address.port}`;
    const context = createLocalIntrinsicContext(model, {
      apiId,
      gateway: { http: `http://${gatewayOrigin}`, ws: `ws://${gatewayOrigin}` },
      tableNames: Object.fromEntries(Object.values(dynamodb.tables).map((table) => [table.logicalId, table.tableName])),
      queueUrls: Object.fromEntries(Object.values(sqs.queues).map((queue) => [queue.logicalId, queue.url])),
    });
    const jwksUrl = `http://${gatewayOrigin}${LOCAL_JWKS_PATH}`;
    const serviceEnvironment = {
      // Lambda's Node.js runtimes put their AWS SDK v3 on NODE_PATH: a bundle that leaves @aws-sdk/*
      // external (NodejsFunction's default) loads it from there; locally this runtime's copy stands in.
      NODE_PATH: RUNTIME_MODULES_DIRECTORY,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ACCESS_KEY_ID: dynamodb.clientConfig.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: dynamodb.clientConfig.credentials.secretAccessKey,
    };
    const functions: LocalFunctionDefinition[] = Object.values(model.functions).map((fn) => {
      const environment = Object.fromEntries(
        Object.entries(fn.environment).map(([name, value]) => [name, resolveToString(value, context, `${fn.logicalId}.Environment.${name}`)]),
      );
      const ownEnvironment = localJwk === undefined ? environment : withLocalTokenKey(environment, runStage, jwksUrl);
      // The routes, the authorizer and the mappings name functions by their name (stack-model.ts).
      return { ...fn, logicalId: fn.name, environment: { ...ownEnvironment, ...serviceEnvironment } };
    });
    const functionConcurrency = options.functionConcurrency ?? DEFAULT_FUNCTION_CONCURRENCY;
    const runner = await FunctionRunner.start({
      functions,
      onLog: (entry) => {
        const logEntry: LocalLogEntry = { source: 'function', name: entry.functionId, line: entry.line, level: entry.stream === 'stderr' ? 'error' : 'info' };
        log(logEntry);
        functionLogs.emit(logEntry);
      },
      onInvocation: invocations.emit,
      defaultConcurrency: functionConcurrency,
      maxInstancesPerFunction: options.maxInstancesPerFunction,
    });
    started.runner = () => runner.close();
    runnerStarted(runner);
    endPhase('functions');

    const pollers = QueuePollers.start({
      // A mapping runs no more batches at once than its function has instances (at least one, so
      // that a throttled function's batches fail as on Lambda): a batch waiting for an instance
      // would keep its messages invisible past their visibility timeout.
      mappings: model.eventSourceMappings.map((mapping) => ({
        ...mapping,
        maximumConcurrency: Math.max(1, Math.min(mapping.maximumConcurrency ?? functionConcurrency, runner.stats()[mapping.functionId]?.maxInstances ?? 1)),
      })),
      sqs,
      invoker: runner,
      onLog: (entry) => log({ source: 'poller', name: entry.mappingId, line: entry.message, level: entry.level }),
      onBatch: batches.emit,
      yieldTo: gatewayInvoker,
    });
    started.pollers = () => pollers.close();

    const managementApiUrl = `http://${gatewayOrigin}/${model.api.stageName}`;
    // The service's connections table, found by its `ws-notify:name` whatever its logical id.
    const connectionsTable = Object.values(model.tables).find((table) => table.name === CONNECTIONS_TABLE_NAME);
    const endpoints: StageEndpoints = {
      stage: runStage.name,
      authMode: runStage.authMode,
      websocketUrl: `ws://${gatewayOrigin}/${model.api.stageName}`,
      managementApiUrl,
      dynamodbEndpoint: dynamodb.endpoint,
      sqsEndpoint: sqs.endpoint,
      tableName: (connectionsTable && dynamodb.tables[connectionsTable.logicalId]?.tableName) ?? '',
      queues: Object.fromEntries(Object.values(sqs.queues).map((queue) => [queue.name, queue.url])),
      consoleUrl: options.httpFallback ? `http://${gatewayOrigin}/` : undefined,
      pid: process.pid,
      app: options.app && {
        directory: options.app.directory,
        issuer: runStage.jwt.issuer,
        audience: runStage.jwt.audience,
        maxTokenLifetimeSeconds: maxTokenLifetimeSecondsOf(runStage),
        jwksUrl,
      },
    };
    const endpointsFile = options.endpointsFile === false ? undefined : (options.endpointsFile ?? endpointsFilePath(runStage.name));
    if (endpointsFile !== undefined) {
      writeEndpointsFile(endpointsFile, endpoints);
      started.endpointsFile = () => Promise.resolve(removeEndpointsFile(endpointsFile));
    }

    endPhase('pollers');
    let closing: Promise<void> | undefined;
    return {
      stage: runStage,
      stackName,
      model,
      endpoints,
      endpointsFile,
      gateway,
      functions: runner,
      dynamodb,
      sqs,
      pollers,
      startupMs: performance.now() - startedAt,
      startupPhases: phases,
      onInvocation: invocations.add,
      onBatch: batches.add,
      onFunctionLog: functionLogs.add,
      faultCounts: () => ({ dynamodb: dynamodb.faults.counts(), sqs: sqs.faults.counts(), management: gateway.faults.counts() }),
      close: () => (closing ??= shutdown()),
    };
  } catch (error) {
    await shutdown().catch(() => undefined);
    throw error;
  }
}
