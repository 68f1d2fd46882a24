/**
 * Section 4: start-up. `npm start` spawned as a user runs it (npm, node, tsx, the real CLI) until
 * it prints the `Local stack ready` line; then the in-process breakdown of startLocalStack
 * (loading its modules, then its phases: keys, synth, services, gateway, functions, pollers), and
 * the functions' bundles: found up to date (every start-up) and built from scratch (after a change).
 */
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../../src/tooling/project-paths';
import type { BenchContext } from '../lib/context';
import { median } from '../lib/stats';

export interface StartupResults {
  /** `npm start` → `Local stack ready`, ms, each timed run. */
  readonly npmStartMs: readonly number[];
  readonly npmStartMedianMs: number;
  /** Loading the runtime's modules in a fresh process (aws-cdk-lib included), ms (median). */
  readonly importMs: number;
  /** startLocalStack's phases, ms (median of each). */
  readonly phases: Readonly<Record<string, number>>;
  /** startLocalStack in total, ms (median). */
  readonly startLocalStackMs: number;
  /** Finding the function bundles up to date, ms (median). */
  readonly bundlesUpToDateMs: number;
  /** Building every function's bundles (both AWS SDK sources) with esbuild, ms (median). */
  readonly bundlesBuildMs: number;
}

/** Spawns `npm start` on free ports and resolves with the time until its ready line; then stops it with SIGINT. */
function timeNpmStart(env: Readonly<Record<string, string>>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('npm', ['start', '--', '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let readyMs: number | undefined;
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
      reject(new Error(`npm start printed no ready line within 60 s; stderr: ${stderr.slice(0, 500)}`));
    }, 60_000);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (readyMs === undefined && /^Local stack ready/m.test(stdout)) {
        readyMs = performance.now() - started;
        process.kill(-(child.pid ?? 0), 'SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (readyMs === undefined) reject(new Error(`npm start exited (${signal ?? `code ${code}`}) before it was ready; stderr: ${stderr.slice(0, 500)}`));
      else if (code !== 0) reject(new Error(`npm start exited with ${signal ?? `code ${code}`} after SIGINT; stderr: ${stderr.slice(0, 500)}`));
      else resolve(readyMs);
    });
  });
}

export async function runStartup(ctx: BenchContext): Promise<StartupResults> {
  const runs = ctx.settings.quick ? 2 : Math.max(3, ctx.settings.rounds);
  // The first run is not timed: it makes the stage's keys, fills the OS file cache and builds the function bundles.
  await timeNpmStart(ctx.env);
  const npmStartMs: number[] = [];
  for (let run = 0; run < runs; run += 1) npmStartMs.push(await timeNpmStart(ctx.env));
  ctx.progress(`start-up: npm start ready in ${npmStartMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);

  const imports: number[] = [];
  const totals: number[] = [];
  const checks: number[] = [];
  const builds: number[] = [];
  const phases = new Map<string, number[]>();
  for (let run = 0; run < runs; run += 1) {
    const host = ctx.serverHost('startup');
    try {
      const info = await host.call('startStack', {});
      imports.push(info.importMs);
      totals.push(info.startupMs);
      checks.push(info.bundlesUpToDateMs);
      for (const [phase, ms] of Object.entries(info.startupPhases)) phases.set(phase, [...(phases.get(phase) ?? []), ms]);
      builds.push((await host.call('bundleFromScratch')).durationMs);
    } finally {
      await host.stop();
    }
  }
  return {
    npmStartMs,
    npmStartMedianMs: median(npmStartMs),
    importMs: median(imports),
    phases: Object.fromEntries([...phases].map(([phase, values]) => [phase, median(values)])),
    startLocalStackMs: median(totals),
    bundlesUpToDateMs: median(checks),
    bundlesBuildMs: median(builds),
  };
}
