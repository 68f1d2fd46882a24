/**
 * Section 5: a cold-start proxy per function. The real deployment bundles — the code asset each
 * function of the synthesized stack names (the prebuilt bundles of src/tooling/function-bundles.ts:
 * esbuild, minified, source maps) — each started in a fresh `node` process, like a Lambda sandbox:
 * Node's own start-up, the bundle's module load (the init phase) and the first invocation with a
 * representative event against the local stack's services.
 *
 * Two baselines, bundled with the same esbuild settings (bundleEntries) and probed in the same
 * run, interleaved with the function they stand beside:
 * - the same-work baseline of each function (test/bench/baselines/<entry>.ts): a minimal handler
 *   that creates the SDK clients the function creates and makes the same first AWS calls for the
 *   same event, with nothing else (no Powertools, io-ts, logging or validation). The budget
 *   compares each function with it, with the same environment, event and services;
 * - the empty handler (test/bench/baselines/empty.ts), which returns at once: Node's floor.
 * Both ways of getting the AWS SDK are measured: bundled, or the runtime's copy (`@aws-sdk/*`
 * external, loaded from node_modules through NODE_PATH as Lambda loads /var/runtime/node_modules).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildInProcessApp } from '../../../infra/app-factory';
import { AWS_SDK_SOURCES, DEFAULT_AWS_SDK_SOURCE, type AwsSdkSource } from '../../../infra/function-code';
import { getStage } from '../../../infra/stages';
import type { CfnTemplate } from '../../../src/local/template/cfn-template';
import { createLocalIntrinsicContext } from '../../../src/local/template/local-intrinsic-context';
import { readStackTemplate } from '../../../src/local/template/read-stack-template';
import { resolveToString } from '../../../src/local/template/resolve-intrinsics';
import { bundleEntries } from '../../../src/tooling/function-bundles';
import { PROJECT_ROOT } from '../../../src/tooling/project-paths';
import { ensureStageKeyPair } from '../../../src/tooling/stage-keys';
import type { StackInfo } from '../hosts/server-host-api';
import type { BenchContext } from '../lib/context';
import { median, ratio } from '../lib/stats';
import { openClient, roundTrip } from '../lib/ws-load';

export interface ColdStartMeasure {
  /** index.js bytes. */
  readonly bytes: number;
  /**
   * Process start until the probe's first line runs (Node's own start-up), ms: the median over every
   * probe of the run, as it does not depend on the bundle (nothing of it is loaded yet), which keeps
   * the noise of process creation out of the per-function comparison.
   */
  readonly bootMs: number;
  /** The same, median of this bundle's probes only. */
  readonly ownBootMs: number;
  /** require() of the bundle (Lambda's init phase), ms, median. */
  readonly loadMs: number;
  /** The first invocation, ms, median. */
  readonly invokeMs: number;
  /** boot + load + first invocation, ms, median: the cold-start proxy. */
  readonly totalMs: number;
  /** load + first invocation of every probe, ms, in the order they ran (the spread behind the medians). */
  readonly samplesMs: readonly number[];
}

export interface ColdStartFunction {
  readonly functionId: string;
  readonly variants: Readonly<Record<AwsSdkSource, ColdStartMeasure>>;
  /** The function's same-work baseline, bundled both ways. */
  readonly baselines: Readonly<Record<AwsSdkSource, ColdStartMeasure>>;
  /** The shipped variant started without `NODE_OPTIONS=--enable-source-maps` (which the deployment sets). */
  readonly withoutSourceMaps: ColdStartMeasure;
  /** The variant with the shorter cold-start proxy; `identical` when both ways give the same bundle (a function without SDK client). */
  readonly faster: AwsSdkSource | 'identical';
  /** The shipped default's cold-start proxy over its same-work baseline's, bundled the same way (budget ≤ 2). */
  readonly ratioToSameWork: number;
  /** The same for module load + first invocation only (Node's start-up left out). */
  readonly initAndInvokeRatioToSameWork: number;
  /** The shipped default's cold-start proxy over the empty handler's. */
  readonly ratioToEmpty: number;
}

export interface ColdStartResults {
  /** Probes of each bundle (medians are reported). */
  readonly repeats: number;
  readonly defaultSource: AwsSdkSource;
  /** The empty handler, bundled the shipped way. */
  readonly empty: ColdStartMeasure;
  readonly functions: readonly ColdStartFunction[];
}

interface ProbeOutput {
  readonly bootMs: number;
  readonly loadMs: number;
  readonly invokeMs: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

interface Bundle {
  readonly file: string;
  readonly handlerExport: string;
  readonly environment: Readonly<Record<string, string>>;
}

interface SynthesizedBundles {
  /** Each function's deployment bundle, with its environment resolved to the local stack's values. */
  readonly functions: Readonly<Record<string, Bundle>>;
  /** Each function's same-work baseline, with the function's environment. */
  readonly baselines: Readonly<Record<string, Bundle>>;
  readonly empty: Bundle;
}

const PROBE = path.join(__dirname, '..', 'probes', 'cold-start-probe.js');
const BASELINES = path.join(__dirname, '..', 'baselines');
/** Name of the empty handler among the bundles. */
const EMPTY_ID = 'EmptyBaseline';

/**
 * Synthesizes stage `local` with its functions on the given AWS SDK source, reads each function's
 * code asset from the template, and bundles each function's same-work baseline (and the empty
 * handler) with the same esbuild settings; returns every bundle with its environment.
 */
function synthesizeBundles(awsSdk: AwsSdkSource, outdir: string, stack: StackInfo): SynthesizedBundles {
  const { app, stack: wsStack } = buildInProcessApp({
    stage: getStage('local'),
    awsSdk,
    cloudFormationValidation: false,
    outdir,
    context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:disable-asset-staging': true },
  });
  const template = app.synth().getStackByName(wsStack.stackName).template as CfnTemplate;
  const model = readStackTemplate(template, { stackName: wsStack.stackName });
  const context = createLocalIntrinsicContext(model, {
    apiId: stack.apiId,
    gateway: { http: `http://127.0.0.1:${stack.gatewayPort}`, ws: `ws://127.0.0.1:${stack.gatewayPort}` },
    tableNames: stack.tableNames,
    queueUrls: stack.queueUrls,
  });
  const functionIds = Object.keys(model.functions).sort();
  // A function's baseline is named after its bundle (the entry's name in src/functions).
  const bundleName = (functionId: string) => path.basename(model.functions[functionId]!.codeDirectory);
  const baselineBundles = bundleEntries({
    entries: Object.fromEntries([
      ...functionIds.map((functionId): [string, string] => [functionId, path.join(BASELINES, `${bundleName(functionId)}.ts`)]),
      [EMPTY_ID, path.join(BASELINES, 'empty.ts')],
    ]),
    outDirectory: path.join(outdir, 'baselines'),
    awsSdk,
  });
  const functions: Record<string, Bundle> = {};
  const baselines: Record<string, Bundle> = {};
  for (const functionId of functionIds) {
    const fn = model.functions[functionId]!;
    const environment = Object.fromEntries(Object.entries(fn.environment).map(([name, value]) => [name, resolveToString(value, context, `${fn.logicalId}.${name}`)]));
    functions[functionId] = { file: path.join(fn.codeDirectory, `${fn.handlerModule}.js`), handlerExport: fn.handlerExport, environment };
    baselines[functionId] = { file: path.join(baselineBundles.directories[functionId]!, 'index.js'), handlerExport: 'handler', environment };
  }
  return { functions, baselines, empty: { file: path.join(baselineBundles.directories[EMPTY_ID]!, 'index.js'), handlerExport: 'handler', environment: {} } };
}

function probe(bundle: Bundle, eventFile: string, env: Readonly<Record<string, string>>): Promise<ProbeOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [PROBE, bundle.file, bundle.handlerExport, eventFile],
      { env: { ...env, ...bundle.environment }, maxBuffer: 16 * 1024 * 1024, timeout: 30_000 },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((candidate) => candidate.startsWith('{"bootMs"'));
        if (line === undefined) {
          reject(new Error(`cold-start probe of ${bundle.file} printed no result (${error?.message ?? 'no error'}): ${stderr.slice(0, 400)}`));
          return;
        }
        resolve(JSON.parse(line) as ProbeOutput);
      },
    );
  });
}

/** True when a function's result is a success: a 2xx route result, an Allow policy, or a batch with no failure. */
function succeeded(functionId: string, output: ProbeOutput): boolean {
  if (!output.ok) return false;
  const result = output.result as { statusCode?: number; batchItemFailures?: unknown[]; policyDocument?: { Statement?: { Effect?: string }[] } } | null;
  if (result === null || typeof result !== 'object') return false;
  if (functionId === 'Authorizer') return result.policyDocument?.Statement?.[0]?.Effect === 'Allow';
  if (Array.isArray(result.batchItemFailures)) return result.batchItemFailures.length === 0;
  return typeof result.statusCode === 'number' && result.statusCode >= 200 && result.statusCode < 300;
}

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'events', name), 'utf8')) as Record<string, unknown>;
}

interface EventContext {
  readonly connectionId: string;
  readonly userId: string;
  readonly token: string;
  readonly expiresAt: number;
}

/** A representative first event for each function, from the captured fixtures, aimed at live records of the local stack. */
function eventFor(functionId: string, live: EventContext): unknown {
  const message = (routeKey: string, body: string) => {
    const event = fixture('message.json') as { requestContext: Record<string, unknown>; body: string };
    return { ...event, requestContext: { ...event.requestContext, routeKey, connectionId: live.connectionId, requestTimeEpoch: Date.now() }, body };
  };
  const sqs = (body: unknown) => {
    const event = fixture('sqs-batch.json') as { Records: Record<string, unknown>[] };
    const record = event.Records[0] ?? {};
    return { Records: [{ ...record, messageId: `cold-start-${functionId}`, body: JSON.stringify(body) }] };
  };
  switch (functionId) {
    case 'Authorizer': {
      const event = fixture('authorizer-request.json');
      return { ...event, queryStringParameters: { token: live.token }, multiValueQueryStringParameters: { token: [live.token] } };
    }
    case 'Connect': {
      const event = fixture('connect-authorized.json') as { requestContext: Record<string, unknown> };
      const connectionId = `ColdStart${Date.now().toString(36)}=`;
      return {
        ...event,
        requestContext: { ...event.requestContext, connectionId, connectedAt: Date.now(), authorizer: { userId: live.userId, expiresAt: live.expiresAt, principalId: live.userId, integrationLatency: 1 } },
      };
    }
    case 'Disconnect': {
      const event = fixture('disconnect.json') as { requestContext: Record<string, unknown> };
      return { ...event, requestContext: { ...event.requestContext, connectionId: 'ColdStartGone0A=' } };
    }
    case 'Ping':
      return message('ping', '{"action":"ping","name":"cold start"}');
    case 'Default':
      return message('$default', '{"action":"other"}');
    case 'Authorize':
      return message('authorize', JSON.stringify({ action: 'authorize', token: live.token }));
    case 'Resume':
      return message('resume', '{"action":"resume","after":0}');
    case 'NotifyUser':
      return sqs({ userId: live.userId, data: { download: '/reports/cold-start' }, id: 'cold-start' });
    case 'NotifyConnection':
      return sqs({ connectionId: live.connectionId, data: { download: '/reports/cold-start' }, id: 'cold-start' });
    case 'AuthorizeDeadline':
      return sqs({ connectionId: live.connectionId });
    default:
      throw new Error(`no representative event for function ${functionId}`);
  }
}

/** True when both bundles hold the same code. */
function sameContents(a: Bundle | undefined, b: Bundle | undefined): boolean {
  return a !== undefined && b !== undefined && readFileSync(a.file).equals(readFileSync(b.file));
}

function measureOf(bytes: number, outputs: readonly ProbeOutput[], bootMs: number): ColdStartMeasure {
  const loadMs = median(outputs.map((output) => output.loadMs));
  const invokeMs = median(outputs.map((output) => output.invokeMs));
  const samplesMs = outputs.map((output) => Number((output.loadMs + output.invokeMs).toFixed(2)));
  return { bytes, bootMs, ownBootMs: median(outputs.map((output) => output.bootMs)), loadMs, invokeMs, totalMs: bootMs + median(samplesMs), samplesMs };
}

export async function runColdStart(ctx: BenchContext): Promise<ColdStartResults> {
  const repeats = ctx.settings.quick ? 3 : 9;
  const work = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-bench-cold-'));
  const host = ctx.serverHost('cold-start-services');
  try {
    const stack = await host.call('startStack', {});
    await ensureStageKeyPair('local');
    const userId = 'cold-start-user';
    const token = await ctx.token(userId);
    const expiresAt = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number };
    const socket = await openClient(`${stack.endpoints.websocketUrl}?token=${token}`);
    try {
      const { connectionId } = JSON.parse(await roundTrip(socket, '{"action":"ping"}')) as { connectionId: string };
      const live: EventContext = { connectionId, userId, token, expiresAt: expiresAt.exp };
      const variants = Object.fromEntries(
        AWS_SDK_SOURCES.map((source) => [source, synthesizeBundles(source, path.join(work, source), stack)]),
      ) as Record<AwsSdkSource, SynthesizedBundles>;
      ctx.progress('cold start: synthesized with the AWS SDK bundled, and left to the runtime, and the baselines bundled alike; probing');
      const shippedBundles = variants[DEFAULT_AWS_SDK_SOURCE];
      const functionIds = Object.keys(shippedBundles.functions).sort();
      const eventFiles: Record<string, string> = {};
      for (const id of [...functionIds, EMPTY_ID]) {
        const file = path.join(work, `${id}.event.json`);
        writeFileSync(file, JSON.stringify(id === EMPTY_ID ? {} : eventFor(id, live)));
        eventFiles[id] = file;
      }
      const baseEnv = {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodbEndpoint ?? '',
        AWS_ENDPOINT_URL_SQS: stack.endpoints.sqsEndpoint ?? '',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      };
      const outputs = new Map<string, ProbeOutput[]>();
      const failures: string[] = [];
      const run = async (key: string, functionId: string, bundle: Bundle, env: Readonly<Record<string, string>>) => {
        const output = await probe(bundle, eventFiles[functionId] ?? '', env);
        if (functionId !== EMPTY_ID && !succeeded(functionId, output)) failures.push(`${key}: ${output.error ?? JSON.stringify(output.result).slice(0, 300)}`);
        outputs.set(key, [...(outputs.get(key) ?? []), output]);
      };
      for (let repeat = 0; repeat < repeats; repeat += 1) {
        await run(EMPTY_ID, EMPTY_ID, shippedBundles.empty, baseEnv);
        for (const functionId of functionIds) {
          for (const source of AWS_SDK_SOURCES) {
            const env = source === 'runtime' ? { ...baseEnv, NODE_PATH: path.join(PROJECT_ROOT, 'node_modules') } : baseEnv;
            // The function and its baseline one after the other, the order swapped every repeat.
            const pair = [
              [`${functionId}/${source}`, variants[source].functions[functionId]],
              [`${functionId}/${source}/baseline`, variants[source].baselines[functionId]],
            ] as const;
            for (const [key, bundle] of repeat % 2 === 0 ? pair : [...pair].reverse()) {
              if (bundle !== undefined) await run(key, functionId, bundle, env);
            }
          }
          const shipped = shippedBundles.functions[functionId];
          if (shipped !== undefined) {
            const { NODE_OPTIONS: _sourceMaps, ...environment } = shipped.environment;
            await run(`${functionId}/no-source-maps`, functionId, { ...shipped, environment }, baseEnv);
          }
        }
      }
      if (failures.length > 0) throw new Error(`first invocations failed:\n${[...new Set(failures)].join('\n')}`);
      const bootMs = median([...outputs.values()].flat().map((output) => output.bootMs));
      const measure = (key: string, bundle: Bundle | undefined) => measureOf(statSync(bundle?.file ?? '').size, outputs.get(key) ?? [], bootMs);
      const empty = measure(EMPTY_ID, shippedBundles.empty);
      const functions = functionIds.map((functionId): ColdStartFunction => {
        const bySource = (suffix: string, pick: (bundles: SynthesizedBundles) => Bundle | undefined) =>
          Object.fromEntries(AWS_SDK_SOURCES.map((source) => [source, measure(`${functionId}/${source}${suffix}`, pick(variants[source]))])) as Record<AwsSdkSource, ColdStartMeasure>;
        const measures = bySource('', (bundles) => bundles.functions[functionId]);
        const baselines = bySource('/baseline', (bundles) => bundles.baselines[functionId]);
        const shipped = measures[DEFAULT_AWS_SDK_SOURCE];
        const baseline = baselines[DEFAULT_AWS_SDK_SOURCE];
        return {
          functionId,
          variants: measures,
          baselines,
          withoutSourceMaps: measure(`${functionId}/no-source-maps`, shippedBundles.functions[functionId]),
          faster: sameContents(variants.bundled.functions[functionId], variants.runtime.functions[functionId])
            ? 'identical'
            : measures.bundled.totalMs <= measures.runtime.totalMs
              ? 'bundled'
              : 'runtime',
          ratioToSameWork: ratio(shipped.totalMs, baseline.totalMs),
          initAndInvokeRatioToSameWork: ratio(shipped.loadMs + shipped.invokeMs, baseline.loadMs + baseline.invokeMs),
          ratioToEmpty: ratio(shipped.totalMs, empty.totalMs),
        };
      });
      return { repeats, defaultSource: DEFAULT_AWS_SDK_SOURCE, empty, functions };
    } finally {
      socket.terminate();
    }
  } finally {
    await host.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
