/**
 * One CDK synthesis per stack variant per test run, shared by every integration test file.
 *
 * The stack's template depends on the stage (after overrides such as the auth mode) and on the
 * stage's public key. The integration tier's global setup (global-setup.ts) makes one key pair
 * per stage and synthesizes the variants the tests use most into a run directory; each test
 * stack copies those keys (startTestStack), so the same stage options give the same template,
 * which the stack then reads from that directory instead of loading the CDK again (several
 * seconds per test file). A variant not synthesized yet is synthesized by the first test file
 * that needs it and stored for the others. A stack whose test changes it (`configureStack`) is
 * synthesized on its own, unless the change is one of SHARED_CONFIGURATIONS, which are stored
 * under their names like the stage variants.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as Lambda from 'aws-cdk-lib/aws-lambda';
import type { StageConfig } from '../../infra/stages';
import type { WsNotifyStack } from '../../infra/ws-notify-stack';
import type * as SynthesizeStackTemplateModule from '../../src/local/template/synthesize-stack-template';
import type { SynthesizedStackTemplate, SynthesizeStackTemplateOptions } from '../../src/local/template/synthesize-stack-template';
import { readStagePublicJwk } from '../../src/tooling/stage-keys';
import type * as FixtureBundles from './fixture-bundles';

/** The run directory of the integration tier (set by global-setup.ts; unset: every stack synthesizes its own template). */
export const TEST_RUN_DIRECTORY_ENV = 'WS_NOTIFY_TEST_RUN_DIR';

/** The stages whose key pairs the run makes once. */
export const SHARED_KEY_STAGES = ['local', 'dev'] as const;

export const runKeysDirectory = (runDirectory: string): string => path.join(runDirectory, 'keys');
const templatesDirectory = (runDirectory: string): string => path.join(runDirectory, 'templates');

/** `configureStack` hook: every function logs its incoming event (Powertools POWERTOOLS_LOGGER_LOG_EVENT), redacted. */
export function logEveryEvent(stack: WsNotifyStack): void {
  for (const fn of stack.service.functions.values()) fn.addEnvironment('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
}

/**
 * The echo-route fixture's code directory: the fixture bundles' cache (fixture-bundles.ts), one path
 * for every worker, so that the template is the same in each.
 */
export function echoRouteCodeDirectory(): string {
  // Loaded here, like the CDK: esbuild is loaded only by a process that checks or bundles the fixture.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { bundledFixtures } = require('./fixture-bundles') as typeof FixtureBundles;
  return bundledFixtures(['echo-route'])['echo-route']!;
}

/**
 * `configureStack` hook: a route `echo` with a function of its own (test/fixtures/functions/echo-route.ts),
 * whose reply is the route response (template-driven.test.ts).
 */
export function addEchoRoute(stack: WsNotifyStack): void {
  // Loaded here: a worker that only reads the shared template does not load the CDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Code, Function: LambdaFunction, Runtime } = require('aws-cdk-lib/aws-lambda') as typeof Lambda;
  const handler = new LambdaFunction(stack, 'Echo', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromAsset(echoRouteCodeDirectory()) });
  stack.service.addRoute('echo', { handler, returnResponse: true });
}

/**
 * Changes to the stack that several test runs make the same way, by name: a template configured by
 * one of them is shared like a stage variant's (the global setup synthesizes them all). A change
 * that closes over a test's own values (a fixture bundled in a test's directory) is not one: the
 * fixture of `echo-route` is bundled in the fixture bundles' cache, the same path for every test run.
 */
export const SHARED_CONFIGURATIONS: Readonly<Record<string, (stack: WsNotifyStack) => void>> = { 'log-every-event': logEveryEvent, 'echo-route': addEchoRoute };

function sharedConfigurationName(configure: ((stack: WsNotifyStack) => void) | undefined): string | null | undefined {
  if (configure === undefined) return null;
  return Object.entries(SHARED_CONFIGURATIONS).find(([, shared]) => shared === configure)?.[0];
}

/** What the template of a stage depends on: the stage's settings, for a generated key its public key, and the shared configuration. */
function templateKey(stage: StageConfig, configuration: string | null): string {
  const publicJwk = stage.jwt.keySource.kind === 'generated' ? (readStagePublicJwk(stage.name) ?? null) : null;
  return createHash('sha256').update(JSON.stringify({ stage, publicJwk, ...(configuration !== null ? { configuration } : {}) })).digest('hex');
}

/** The CDK synthesis in this process; loaded on first use only, as loading the CDK is what takes the time. */
function synthesizeHere(options: SynthesizeStackTemplateOptions): SynthesizedStackTemplate {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { synthesizeStackTemplate } = require('../../src/local/template/synthesize-stack-template') as typeof SynthesizeStackTemplateModule;
  return synthesizeStackTemplate(options);
}

/**
 * The `synthesize` step of startLocalStack for tests: the run's template of that stage variant
 * when there is one, else a synthesis here, stored for the rest of the run.
 */
export function synthesizeOncePerRun(options: SynthesizeStackTemplateOptions): SynthesizedStackTemplate {
  const runDirectory = process.env[TEST_RUN_DIRECTORY_ENV];
  const configuration = sharedConfigurationName(options.configure);
  if (runDirectory === undefined || configuration === undefined) return synthesizeHere(options);
  const file = path.join(templatesDirectory(runDirectory), `${templateKey(options.stage, configuration)}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SynthesizedStackTemplate;
  const synthesized = synthesizeHere(options);
  // Written aside and renamed: another worker may read or write the same variant at the same time.
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify(synthesized));
  renameSync(partial, file);
  return synthesized;
}

/** Copies the run's stage keys into a test stack's keys directory, so that its template is the run's. Nothing without a run directory. */
export function copyRunKeys(keysDirectory: string): void {
  const runDirectory = process.env[TEST_RUN_DIRECTORY_ENV];
  if (runDirectory === undefined) return;
  cpSync(runKeysDirectory(runDirectory), keysDirectory, { recursive: true });
}

/**
 * Writes the run's template of a stage, as declared, where `cdk synth` would put it:
 * `<directory>/<stack>.template.json`, for `ws-notify start --template`. The run's keys are copied
 * into `keysDirectory` first, so that the template is the one of the stage's keys there.
 */
export function writeRunTemplate(stage: StageConfig, keysDirectory: string, directory: string): string {
  mkdirSync(keysDirectory, { recursive: true, mode: 0o700 });
  copyRunKeys(keysDirectory);
  const keysDirectoryBefore = process.env.WS_NOTIFY_KEYS_DIR;
  process.env.WS_NOTIFY_KEYS_DIR = keysDirectory;
  try {
    const { stackName, template } = synthesizeOncePerRun({ stage });
    mkdirSync(directory, { recursive: true });
    const file = path.join(directory, `${stackName}.template.json`);
    writeFileSync(file, JSON.stringify(template));
    return file;
  } finally {
    if (keysDirectoryBefore === undefined) delete process.env.WS_NOTIFY_KEYS_DIR;
    else process.env.WS_NOTIFY_KEYS_DIR = keysDirectoryBefore;
  }
}
