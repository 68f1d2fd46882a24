/**
 * Where the functions' code is: the bundles that the package build makes ahead of synthesis
 * (src/tooling/function-bundles.ts) and that the construct deploys as they are (`Code.fromAsset`).
 * A consumer's `cdk synth` therefore needs neither esbuild nor this package's TypeScript sources.
 * Nothing here imports esbuild or the CDK.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the functions get the AWS SDK v3 clients from:
 * - `bundled`: the clients the project pins (package-lock.json) are bundled into each function;
 * - `runtime`: `@aws-sdk/*` and `@smithy/*` stay external and the Lambda runtime's copy is used.
 */
export type AwsSdkSource = 'bundled' | 'runtime';
export const AWS_SDK_SOURCES: readonly AwsSdkSource[] = ['bundled', 'runtime'];
export function isAwsSdkSource(value: unknown): value is AwsSdkSource {
  return typeof value === 'string' && (AWS_SDK_SOURCES as readonly string[]).includes(value);
}
/** The default: the versions that were tested are the versions that run, and tree-shaking keeps the bundles small. */
export const DEFAULT_AWS_SDK_SOURCE: AwsSdkSource = 'bundled';

/** The directory of the package: the nearest one above this file with a package.json (the repository, or `node_modules/ws-notify`). */
function packageRoot(): string {
  for (let directory = __dirname; ; directory = path.dirname(directory)) {
    if (existsSync(path.join(directory, 'package.json'))) return directory;
    if (path.dirname(directory) === directory) throw new Error(`no package.json above ${__dirname}`);
  }
}

/** Where the bundles of every function are: `<package>/dist/functions`. */
export const FUNCTION_BUNDLES_DIRECTORY = path.join(packageRoot(), 'dist', 'functions');

/**
 * The asset directory of one function, `dist/functions/<awsSdk>/<name>`: `index.js` (exports
 * `handler`) and its source map. `name` is the entry's file name in src/functions without `.ts`.
 */
export function functionCodeDirectory(name: string, awsSdk: AwsSdkSource = DEFAULT_AWS_SDK_SOURCE): string {
  return path.join(FUNCTION_BUNDLES_DIRECTORY, awsSdk, name);
}
