/**
 * Section 5: a cold-start proxy per function. The real deployment bundles — the stack synthesized
 * with bundling on, as `cdk synth` does (NodejsFunction: esbuild, minified, source maps), read
 * from the cloud assembly's assets — each started in a fresh `node` process, like a Lambda sandbox:
 * Node's own start-up, the bundle's module load (the init phase) and the first invocation with a
 * representative event against the local stack's services. Beside it, the same for a minimal
 * bundle (a handler that returns at once), and for both ways of getting the AWS SDK: bundled, or
 * the runtime's copy (`@aws-sdk/*` external, loaded from node_modules through NODE_PATH as Lambda
 * loads /var/runtime/node_modules).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { buildInProcessApp } from '../../../infra/app-factory';
import { AWS_SDK_SOURCES, DEFAULT_AWS_SDK_SOURCE, type AwsSdkSource } from '../../../infra/constructs/notify-function';
import { getStage } from '../../../infra/stages';
import type { CfnTemplate } from '../../../src/local/template/cfn-template';
import { createLocalIntrinsicContext } from '../../../src/local/template/local-intrinsic-context';
import { readStackTemplate } from '../../../src/local/template/read-stack-template';
import { resolveToString } from '../../../src/local/template/resolve-intrinsics';
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
}

export interface ColdStartFunction {
  readonly functionId: string;
  readonly variants: Readonly<Record<AwsSdkSource, ColdStartMeasure>>;
  /** The shipped variant started without `NODE_OPTIONS=--enable-source-maps` (which the deployment sets). */
  readonly withoutSourceMaps: ColdStartMeasure;
  /** The variant with the shorter cold-start proxy. */
  readonly faster: AwsSdkSource;
  /** The shipped default's cold-start proxy over the minimal bundle's (budget ≤ 2). */
  readonly ratioToMinimal: number;
  /** The same for module load + first invocation only (Node's start-up left out). */
  readonly initAndInvokeRatioToMinimal: number;
}

export interface ColdStartResults {
  readonly repeats: number;
  readonly defaultSource: AwsSdkSource;
  readonly minimal: ColdStartMeasure;
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

const PROBE = path.join(__dirname, '..', 'probes', 'cold-start-probe.js');

/** Runs `synth` while dropping aws-cdk-lib's `Bundling asset …` progress lines (stderr carries only real problems). */
function withoutBundlingProgress<T>(synth: () => T): T {
  const write = process.stderr.write.bind(process.stderr) as (...args: unknown[]) => boolean;
  const filtered = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    if (/^Bundling asset /.test(text) || /^\s*$/.test(text)) return true;
    return write(chunk, ...rest);
  };
  process.stderr.write = filtered;
  try {
    return synth();
  } finally {
    process.stderr.write = write;
  }
}

/** Synthesizes stage `local` with bundling on, as `cdk synth` does; returns each function's bundle and environment. */
function synthesizeBundles(awsSdk: AwsSdkSource, outdir: string, stack: StackInfo): Record<string, Bundle> {
  // NodejsFunction bundles while the stack is built, not at synth.
  const { template, stackName } = withoutBundlingProgress(() => {
    const { app, stack: wsStack } = buildInProcessApp({ stage: getStage('local'), bundling: true, awsSdk, cloudFormationValidation: false, outdir });
    return { template: app.synth().getStackByName(wsStack.stackName).template as CfnTemplate, stackName: wsStack.stackName };
  });
  const model = readStackTemplate(template, { stackName });
  const context = createLocalIntrinsicContext(model, {
    apiId: stack.apiId,
    gateway: { http: `http://127.0.0.1:${stack.gatewayPort}`, ws: `ws://127.0.0.1:${stack.gatewayPort}` },
    tableNames: stack.tableNames,
    queueUrls: stack.queueUrls,
  });
  const bundles: Record<string, Bundle> = {};
  const resources = (template as { Resources: Record<string, { Type: string; Properties?: { Code?: { S3Key?: string }; Handler?: string } }> }).Resources;
  for (const fn of Object.values(model.functions)) {
    const key = resources[fn.logicalId]?.Properties?.Code?.S3Key;
    if (key === undefined) throw new Error(`function ${fn.logicalId} has no asset`);
    bundles[fn.logicalId] = {
      file: path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js'),
      handlerExport: fn.handlerExport,
      environment: Object.fromEntries(Object.entries(fn.environment).map(([name, value]) => [name, resolveToString(value, context, `${fn.logicalId}.${name}`)])),
    };
  }
  return bundles;
}

/** A handler that returns at once, bundled the way NodejsFunction bundles (esbuild, CJS, minified, source map). */
async function minimalBundle(directory: string): Promise<Bundle> {
  const file = path.join(directory, 'index.js');
  await build({
    stdin: { contents: 'export const handler = async () => ({ statusCode: 200 });', loader: 'ts', resolveDir: directory },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    outfile: file,
    logLevel: 'silent',
  });
  return { file, handlerExport: 'handler', environment: { NODE_OPTIONS: '--enable-source-maps' } };
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

function measureOf(bytes: number, outputs: readonly ProbeOutput[], bootMs: number): ColdStartMeasure {
  const loadMs = median(outputs.map((output) => output.loadMs));
  const invokeMs = median(outputs.map((output) => output.invokeMs));
  return { bytes, bootMs, ownBootMs: median(outputs.map((output) => output.bootMs)), loadMs, invokeMs, totalMs: bootMs + median(outputs.map((output) => output.loadMs + output.invokeMs)) };
}

export async function runColdStart(ctx: BenchContext): Promise<ColdStartResults> {
  const repeats = ctx.settings.quick ? 2 : 5;
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
      ) as Record<AwsSdkSource, Record<string, Bundle>>;
      const minimal = await minimalBundle(mkdtempSync(path.join(work, 'minimal-')));
      ctx.progress('cold start: synthesized with bundling on (AWS SDK bundled, and left to the runtime); probing');
      const functionIds = Object.keys(variants[DEFAULT_AWS_SDK_SOURCE]).sort();
      const eventFiles: Record<string, string> = {};
      for (const id of [...functionIds, 'Minimal']) {
        const file = path.join(work, `${id}.event.json`);
        writeFileSync(file, JSON.stringify(id === 'Minimal' ? {} : eventFor(id, live)));
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
      const record = (key: string, functionId: string, output: ProbeOutput) => {
        if (functionId !== 'Minimal' && !succeeded(functionId, output)) failures.push(`${key}: ${output.error ?? JSON.stringify(output.result).slice(0, 300)}`);
        outputs.set(key, [...(outputs.get(key) ?? []), output]);
      };
      for (let repeat = 0; repeat < repeats; repeat += 1) {
        record('Minimal', 'Minimal', await probe(minimal, eventFiles.Minimal ?? '', baseEnv));
        for (const functionId of functionIds) {
          for (const source of AWS_SDK_SOURCES) {
            const bundle = variants[source][functionId];
            if (bundle === undefined) continue;
            const env = source === 'runtime' ? { ...baseEnv, NODE_PATH: path.join(PROJECT_ROOT, 'node_modules') } : baseEnv;
            record(`${functionId}/${source}`, functionId, await probe(bundle, eventFiles[functionId] ?? '', env));
          }
          const shipped = variants[DEFAULT_AWS_SDK_SOURCE][functionId];
          if (shipped !== undefined) {
            const { NODE_OPTIONS: _sourceMaps, ...environment } = shipped.environment;
            record(`${functionId}/no-source-maps`, functionId, await probe({ ...shipped, environment }, eventFiles[functionId] ?? '', baseEnv));
          }
        }
      }
      if (failures.length > 0) throw new Error(`first invocations failed:\n${[...new Set(failures)].join('\n')}`);
      const bootMs = median([...outputs.values()].flat().map((output) => output.bootMs));
      const minimalMeasure = measureOf(statSync(minimal.file).size, outputs.get('Minimal') ?? [], bootMs);
      const functions = functionIds.map((functionId): ColdStartFunction => {
        const measures = Object.fromEntries(
          AWS_SDK_SOURCES.map((source) => [source, measureOf(statSync(variants[source][functionId]?.file ?? '').size, outputs.get(`${functionId}/${source}`) ?? [], bootMs)]),
        ) as Record<AwsSdkSource, ColdStartMeasure>;
        const shipped = measures[DEFAULT_AWS_SDK_SOURCE];
        return {
          functionId,
          variants: measures,
          withoutSourceMaps: measureOf(shipped.bytes, outputs.get(`${functionId}/no-source-maps`) ?? [], bootMs),
          faster: measures.bundled.totalMs <= measures.runtime.totalMs ? 'bundled' : 'runtime',
          ratioToMinimal: ratio(shipped.totalMs, minimalMeasure.totalMs),
          initAndInvokeRatioToMinimal: ratio(shipped.loadMs + shipped.invokeMs, minimalMeasure.loadMs + minimalMeasure.invokeMs),
        };
      });
      return { repeats, defaultSource: DEFAULT_AWS_SDK_SOURCE, minimal: minimalMeasure, functions };
    } finally {
      socket.terminate();
    }
  } finally {
    await host.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
