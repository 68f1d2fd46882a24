/**
 * `npm run build`: the package in dist/. The entries of package.json `exports` compiled by tsc with
 * their types (tsconfig.build.json: `ws-notify/cdk` and `ws-notify/publisher`, Node.js;
 * tsconfig.build-client.json: `ws-notify/client`, browser code), and the function bundles
 * (ensureFunctionBundles). `npm pack` runs it first (`prepack`).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ensureFunctionBundles, FunctionBundleError } from './function-bundles';
import { PROJECT_ROOT } from './project-paths';

/** The tsc configurations of the package's entries. */
const TSC_PROJECTS = ['tsconfig.build.json', 'tsconfig.build-client.json'];

function main(): void {
  const started = performance.now();
  // tsc's output only: the function bundles stay, to be found up to date.
  for (const directory of ['infra', 'src']) rmSync(path.join(PROJECT_ROOT, 'dist', directory), { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc', { paths: [PROJECT_ROOT] });
  for (const project of TSC_PROJECTS) {
    const run = spawnSync(process.execPath, [tsc, '--project', project], { cwd: PROJECT_ROOT, stdio: 'inherit' });
    if (run.status !== 0) {
      process.stderr.write(`build: tsc --project ${project} failed\n`);
      process.exit(1);
    }
  }
  const bundles = ensureFunctionBundles();
  const functions = Object.keys(bundles.bytes.bundled).length;
  process.stdout.write(`build: dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s (${functions} function bundles ${bundles.built ? 'built' : 'up to date'})\n`);
}

try {
  main();
} catch (error) {
  if (!(error instanceof FunctionBundleError)) throw error;
  process.stderr.write(`build: ${error.message}\n`);
  process.exitCode = 1;
}
