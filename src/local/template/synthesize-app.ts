/**
 * Synthesizes a CDK app of your own, one that holds the WsNotify construct (`ws-notify start --app
 * DIR`), the way `cdk synth` runs it: the `app` command of its cdk.json, in its directory, with its
 * context (cdk.json's and cdk.context.json's) and asset metadata on, into a cloud assembly of its
 * own. The app bundles its own functions (NodejsFunction and the like) as it does for a deploy; the
 * assets are staged in the assembly, which is kept while the local stack runs, since the template's
 * asset paths point into it. The stack run is the one that holds a WebSocket API, or the one named.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CfnTemplate } from './cfn-template';
import type { SynthesizedStackTemplate } from './synthesize-stack-template';
import { isRecord } from '../is-record';

export type AppSynthesisErrorCode =
  /** The directory has no cdk.json, or its `app` is not a command. */
  | 'invalid_app'
  /** ws-notify or aws-cdk-lib is not installed in the app. */
  | 'dependencies_missing'
  /** The app would load two copies of aws-cdk-lib (ws-notify linked from elsewhere, not installed). */
  | 'two_cdk_libraries'
  /** The app's command failed; `output` holds what it wrote on stderr. */
  | 'app_failed'
  /** No stack, or several, hold a WebSocket API; or the stack named is not there. */
  | 'no_stack';

/** The app cannot be synthesized for the local runtime. The message is one line. */
export class AppSynthesisError extends Error {
  override readonly name = 'AppSynthesisError';
  constructor(
    readonly code: AppSynthesisErrorCode,
    message: string,
    /** The app command's stderr, for `app_failed`; empty otherwise. */
    readonly output = '',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SynthesizeAppOptions {
  /** The app's directory (absolute): where its cdk.json is. */
  readonly directory: string;
  /** The stack to run. @default the one stack of the app that holds a WebSocket API */
  readonly stackName?: string;
}

export interface SynthesizedApp extends SynthesizedStackTemplate {
  readonly assemblyDirectory: string;
  /** Deletes the cloud assembly. */
  remove(): void;
}

/**
 * The context keys the CDK CLI sets for every synth (aws-cdk-lib/cx-api): asset metadata, which
 * the template reader reads each function's code from, and construct paths.
 */
const CLI_CONTEXT = { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true } as const;

function readJsonFile(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/** The app command and its context, from cdk.json and cdk.context.json. */
function readCdkJson(directory: string): { command: string; context: Record<string, unknown> } {
  const file = path.join(directory, 'cdk.json');
  if (!existsSync(file)) throw new AppSynthesisError('invalid_app', `${directory} has no cdk.json: --app takes the directory of a CDK app`);
  let cdkJson: unknown;
  try {
    cdkJson = readJsonFile(file);
  } catch (error) {
    throw new AppSynthesisError('invalid_app', `${file} is not valid JSON`, '', { cause: error });
  }
  if (!isRecord(cdkJson) || typeof cdkJson.app !== 'string' || cdkJson.app.trim() === '') {
    throw new AppSynthesisError('invalid_app', `${file} has no "app" command`);
  }
  const contextFile = path.join(directory, 'cdk.context.json');
  const cached = existsSync(contextFile) ? readJsonFile(contextFile) : {};
  return { command: cdkJson.app, context: { ...(isRecord(cached) ? cached : {}), ...(isRecord(cdkJson.context) ? cdkJson.context : {}) } };
}

/**
 * The installed package's directory as code in `from` resolves it, or undefined. A require made for
 * that directory, not `require.resolve(…, { paths })`: Node resolves a package's own name to itself
 * first, so this runtime, run from a ws-notify checkout, would find the checkout, not the app's copy.
 */
function packageDirectory(name: string, from: string): string | undefined {
  try {
    return realpathSync(path.dirname(createRequire(path.join(from, 'package.json')).resolve(`${name}/package.json`)));
  } catch {
    return undefined;
  }
}

/**
 * ws-notify and aws-cdk-lib are installed in the app, and ws-notify's construct loads the app's
 * copy of aws-cdk-lib: a ws-notify linked from a checkout (`file:` or `npm link`) loads the
 * checkout's, and two copies of aws-cdk-lib in one app break the construct tree.
 */
function checkDependencies(directory: string): void {
  const wsNotify = packageDirectory('ws-notify', directory);
  const cdkLib = packageDirectory('aws-cdk-lib', directory);
  if (wsNotify === undefined || cdkLib === undefined) {
    const missing = [wsNotify === undefined ? 'ws-notify' : undefined, cdkLib === undefined ? 'aws-cdk-lib' : undefined].filter(Boolean).join(' and ');
    throw new AppSynthesisError('dependencies_missing', `${directory} has no ${missing} installed: install the app's dependencies first (docs/local.md, "Your CDK app")`);
  }
  const cdkLibOfWsNotify = packageDirectory('aws-cdk-lib', wsNotify);
  if (cdkLibOfWsNotify !== cdkLib) {
    throw new AppSynthesisError(
      'two_cdk_libraries',
      `ws-notify in ${directory} loads aws-cdk-lib from ${cdkLibOfWsNotify ?? 'nowhere'}, the app from ${cdkLib}: install ws-notify from its packed tarball (npm pack), not as a link`,
    );
  }
}

/** Runs the app command; rejects with its stderr when it fails. */
function runAppCommand(directory: string, command: string, outdir: string, context: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, {
      cwd: directory,
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // What the CDK CLI gives an app (aws-cdk-lib/cx-api: OUTDIR_ENV, CONTEXT_ENV).
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify(context),
        npm_config_update_notifier: 'false',
      },
    });
    let stderr = '';
    child.stdout.resume();
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => reject(new AppSynthesisError('app_failed', `the app command "${command}" could not start: ${error.message}`, stderr, { cause: error })));
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
      const reason = lines.find((line) => /error/i.test(line)) ?? lines.at(-1) ?? 'no output';
      reject(new AppSynthesisError('app_failed', `the app command "${command}" failed (${code !== null ? `exit code ${code}` : String(signal)}): ${reason}`, stderr));
    });
  });
}

function stackArtifacts(outdir: string): SynthesizedStackTemplate[] {
  const manifest = readJsonFile(path.join(outdir, 'manifest.json'));
  const artifacts = isRecord(manifest) && isRecord(manifest.artifacts) ? manifest.artifacts : {};
  const stacks: SynthesizedStackTemplate[] = [];
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (!isRecord(artifact) || artifact.type !== 'aws:cloudformation:stack' || !isRecord(artifact.properties)) continue;
    const { templateFile, stackName } = artifact.properties;
    if (typeof templateFile !== 'string') continue;
    stacks.push({ stackName: typeof stackName === 'string' ? stackName : id, template: readJsonFile(path.join(outdir, templateFile)) as CfnTemplate });
  }
  return stacks;
}

function holdsWebSocketApi(template: CfnTemplate): boolean {
  return Object.values(template.Resources).some((resource) => resource.Type === 'AWS::ApiGatewayV2::Api' && resource.Properties?.ProtocolType === 'WEBSOCKET');
}

/**
 * Synthesizes the app and returns the stack to run with its cloud assembly, which the caller
 * removes (`remove()`) when the local stack stops. Throws AppSynthesisError.
 *
 * @example
 * const app = await synthesizeApp({ directory: path.resolve('docs/examples/existing-app') });
 * const model = readStackTemplate(app.template, { stackName: app.stackName, assemblyDirectory: app.assemblyDirectory });
 */
export async function synthesizeApp(options: SynthesizeAppOptions): Promise<SynthesizedApp> {
  const { directory } = options;
  const { command, context } = readCdkJson(directory);
  checkDependencies(directory);
  const outdir = mkdtempSync(path.join(tmpdir(), 'ws-notify-app-'));
  const remove = () => rmSync(outdir, { recursive: true, force: true });
  try {
    await runAppCommand(directory, command, outdir, { ...context, ...CLI_CONTEXT });
    const stacks = stackArtifacts(outdir);
    const names = stacks.map((stack) => stack.stackName).join(', ') || 'none';
    let chosen: SynthesizedStackTemplate | undefined;
    if (options.stackName !== undefined) {
      chosen = stacks.find((stack) => stack.stackName === options.stackName);
      if (chosen === undefined) throw new AppSynthesisError('no_stack', `the app has no stack ${options.stackName} (its stacks: ${names})`);
      if (!holdsWebSocketApi(chosen.template)) throw new AppSynthesisError('no_stack', `stack ${chosen.stackName} holds no WebSocket API (no WsNotify construct)`);
    } else {
      const candidates = stacks.filter((stack) => holdsWebSocketApi(stack.template));
      if (candidates.length !== 1) {
        throw new AppSynthesisError(
          'no_stack',
          candidates.length === 0
            ? `no stack of the app holds a WebSocket API, i.e. the WsNotify construct (its stacks: ${names})`
            : `several stacks of the app hold a WebSocket API (${candidates.map((stack) => stack.stackName).join(', ')}): choose one with --stack`,
        );
      }
      chosen = candidates[0]!;
    }
    return { stackName: chosen.stackName, template: chosen.template, assemblyDirectory: outdir, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
