/**
 * The functions' deployment bundles: each entry of src/functions bundled by esbuild into
 * `dist/functions/<awsSdk>/<name>/index.js` (infra/function-code.ts), once with the AWS SDK bundled
 * and once with it left to the Lambda runtime. The construct deploys these files as they are, and
 * the local runtime runs the same files, named by the template.
 *
 * ensureFunctionBundles() is the one way in: the package build (`npm run build`), the `cdk` app
 * (infra/app.ts: `npm run synth`, `npm run deploy`) and every in-process synthesis (`npm start`, the
 * tests, the bench) call it. It builds only when the bundles were not built from the same sources,
 * build options and lockfile; otherwise it only compares file sizes and times.
 *
 * Run as a script (`tsx src/tooling/function-bundles.ts`), it ensures the bundles and prints their sizes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSync, version as esbuildVersion, type BuildOptions, type BuildResult, type Message } from 'esbuild';
import { AWS_SDK_SOURCES, type AwsSdkSource, FUNCTION_BUNDLES_DIRECTORY } from '../../infra/function-code';
import { PROJECT_ROOT } from './project-paths';

/**
 * The credential providers of the SDK's default chain that a Lambda function never runs, left out of
 * the bundles. Lambda gives a function its credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
 * and AWS_SESSION_TOKEN, which the chain's first provider (`fromEnv`, bundled) reads; the chain
 * imports these others lazily (`await import(…)`), only when that fails. Bundled, they and the STS,
 * SSO and sign-in clients they use are ~130 KiB of every function that reads, compiles and maps
 * (source maps) at each cold start for nothing; external, they would be loaded from the Lambda
 * runtime's copy of the SDK in the one case that reaches them (AWS_PROFILE set on the function).
 * aws/aws-sdk-js-v3 issues 5516 and 6087 describe the same dead weight.
 */
export const UNUSED_CREDENTIAL_PROVIDERS: readonly string[] = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@smithy/credential-provider-imds',
];

/** Bumped when the options below change in a way esbuild's inputs do not show. */
const BUILD_FORMAT = 1;
const STATE_FILE = 'build-state.json';

/**
 * esbuild's options for a function bundle: Node.js, CommonJS, minified, a linked source map without
 * the sources' text (the functions set `--enable-source-maps`), ESM builds of the SDK and Powertools
 * preferred (they tree-shake better and load faster). The target is the oldest Node.js that runs the
 * bundles: Lambda's nodejs24.x, and the local runtime on Node.js 20 or later.
 */
export function functionBundleOptions(awsSdk: AwsSdkSource): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    mainFields: ['module', 'main'],
    external: awsSdk === 'bundled' ? [...UNUSED_CREDENTIAL_PROVIDERS] : ['@aws-sdk/*', '@smithy/*', ...UNUSED_CREDENTIAL_PROVIDERS],
    logLevel: 'silent',
  };
}

/** esbuild could not bundle an entry (syntax error, missing import, …). The message names the first errors. */
export class FunctionBundleError extends Error {
  override readonly name = 'FunctionBundleError';
  readonly code = 'bundle_failed';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface BundleEntriesOptions {
  /** Entry file (absolute) by bundle name; each bundle is `<outDirectory>/<name>/index.js`. */
  readonly entries: Readonly<Record<string, string>>;
  readonly outDirectory: string;
  /** @default 'bundled' */
  readonly awsSdk?: AwsSdkSource;
}

export interface BundledEntries {
  /** Bundle directory (the function's code) by name. */
  readonly directories: Readonly<Record<string, string>>;
  /** index.js size in bytes by name. */
  readonly bytes: Readonly<Record<string, number>>;
  /** The source files esbuild read, relative to the project root. */
  readonly inputs: readonly string[];
}

function formatMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : '';
  return `${where}${message.text}`;
}

/** Writes a file so that a reader sees the old content or the new, never a part: two builds may run at once. */
function writeAtomically(file: string, contents: Uint8Array | string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/**
 * Bundles entries with the functions' options, in one esbuild call. Used for the functions, and by
 * the tests and the bench for handlers of their own.
 *
 * @example
 * bundleEntries({ entries: { echo: '/repo/test/fixtures/functions/echo-route.ts' }, outDirectory: tmp });
 * // tmp/echo/index.js, exporting `handler`
 */
export function bundleEntries(options: BundleEntriesOptions): BundledEntries {
  const names = Object.keys(options.entries);
  let result: BuildResult<{ write: false; metafile: true }>;
  try {
    result = buildSync({
      ...functionBundleOptions(options.awsSdk ?? 'bundled'),
      entryPoints: names.map((name) => ({ in: options.entries[name]!, out: `${name}/index` })),
      outdir: options.outDirectory,
      absWorkingDir: PROJECT_ROOT,
      write: false,
      metafile: true,
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    const details = errors?.slice(0, 3).map(formatMessage).join('; ') ?? (error instanceof Error ? error.message : String(error));
    throw new FunctionBundleError(`could not bundle ${names.join(', ')}: ${details}`, { cause: error });
  }
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  const directories: Record<string, string> = {};
  const bytes: Record<string, number> = {};
  for (const name of names) {
    directories[name] = path.join(options.outDirectory, name);
    const output = result.outputFiles.find((file) => file.path === path.join(options.outDirectory, name, 'index.js'));
    bytes[name] = output?.contents.byteLength ?? 0;
  }
  return { directories, bytes, inputs: Object.keys(result.metafile.inputs) };
}

/** Entry file by function name: every `<directory>/<name>.ts`, by default every function of src/functions. */
export function functionEntries(directory = path.join(PROJECT_ROOT, 'src', 'functions')): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const file of readdirSync(directory).sort()) {
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) entries[file.slice(0, -'.ts'.length)] = path.join(directory, file);
  }
  return entries;
}

interface BuildState {
  /** The entries, esbuild's version and the options. */
  readonly key: string;
  /** Size and modification time of every input, package-lock.json and tsconfig.json. */
  readonly sources: string;
  readonly inputs: readonly string[];
  readonly bytes: Readonly<Record<AwsSdkSource, Readonly<Record<string, number>>>>;
}

export interface FunctionBundles {
  /** False when the bundles were already built from the same sources. */
  readonly built: boolean;
  readonly durationMs: number;
  /** index.js size in bytes, by AWS SDK source and function name. */
  readonly bytes: Readonly<Record<AwsSdkSource, Readonly<Record<string, number>>>>;
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

function buildKey(entries: Readonly<Record<string, string>>): string {
  const relativeEntries = Object.entries(entries).map(([name, file]) => [name, path.relative(PROJECT_ROOT, file)]);
  return hash(JSON.stringify({ BUILD_FORMAT, esbuildVersion, relativeEntries, options: AWS_SDK_SOURCES.map(functionBundleOptions) }));
}

/** The state of the files a build read, or undefined when one of them is gone. */
function sourcesState(inputs: readonly string[]): string | undefined {
  const parts: string[] = [];
  for (const file of [...inputs, 'package-lock.json', 'tsconfig.json']) {
    const stat = statSync(path.resolve(PROJECT_ROOT, file), { throwIfNoEntry: false });
    if (stat === undefined) return undefined;
    parts.push(`${file}\0${stat.size}\0${stat.mtimeMs}`);
  }
  return hash(parts.join('\n'));
}

function readState(directory: string): BuildState | undefined {
  try {
    return JSON.parse(readFileSync(path.join(directory, STATE_FILE), 'utf8')) as BuildState;
  } catch {
    return undefined;
  }
}

export interface EnsureFunctionBundlesOptions {
  /** @default functionEntries(): every function of src/functions */
  readonly entries?: Readonly<Record<string, string>>;
  /** @default FUNCTION_BUNDLES_DIRECTORY (`dist/functions`) */
  readonly directory?: string;
}

/**
 * Makes sure `dist/functions` holds the bundles of every function of src/functions, for both AWS
 * SDK sources, built from the sources as they are now; builds them when not.
 * Throws FunctionBundleError when an entry does not build.
 */
export function ensureFunctionBundles(options: EnsureFunctionBundlesOptions = {}): FunctionBundles {
  const started = performance.now();
  const entries = options.entries ?? functionEntries();
  const directory = options.directory ?? FUNCTION_BUNDLES_DIRECTORY;
  const key = buildKey(entries);
  const previous = readState(directory);
  const complete = () => AWS_SDK_SOURCES.every((awsSdk) => Object.keys(entries).every((name) => existsSync(path.join(directory, awsSdk, name, 'index.js'))));
  if (previous?.key === key && sourcesState(previous.inputs) === previous.sources && complete()) {
    return { built: false, durationMs: performance.now() - started, bytes: previous.bytes };
  }

  const inputs = new Set<string>();
  const bytes = {} as Record<AwsSdkSource, Readonly<Record<string, number>>>;
  for (const awsSdk of AWS_SDK_SOURCES) {
    const outDirectory = path.join(directory, awsSdk);
    const built = bundleEntries({ entries, outDirectory, awsSdk });
    built.inputs.forEach((input) => inputs.add(input));
    bytes[awsSdk] = built.bytes;
    // Bundles of functions that no longer exist.
    for (const name of readdirSync(outDirectory)) {
      if (!Object.prototype.hasOwnProperty.call(entries, name)) rmSync(path.join(outDirectory, name), { recursive: true, force: true });
    }
  }
  const sortedInputs = [...inputs].sort();
  const sources = sourcesState(sortedInputs);
  // An input that vanished during the build leaves no state: the next call builds again.
  if (sources !== undefined) {
    const state: BuildState = { key, sources, inputs: sortedInputs, bytes };
    writeAtomically(path.join(directory, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  }
  return { built: true, durationMs: performance.now() - started, bytes };
}

if (require.main === module) {
  const bundles = ensureFunctionBundles();
  const names = Object.keys(bundles.bytes.bundled);
  process.stdout.write(`function bundles in ${path.relative(process.cwd(), FUNCTION_BUNDLES_DIRECTORY) || '.'} ${bundles.built ? 'built' : 'up to date'} (index.js, KiB: SDK bundled / SDK from the runtime)\n`);
  for (const name of names) {
    const kib = (awsSdk: AwsSdkSource) => ((bundles.bytes[awsSdk][name] ?? 0) / 1024).toFixed(1);
    process.stdout.write(`  ${name}: ${kib('bundled')} / ${kib('runtime')}\n`);
  }
}
