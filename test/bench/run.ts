/**
 * `npm run bench [-- --quick] [--only ping,fanout,inbox,…] [--rounds N] [--docs]`: the benchmark suite
 * (docs/performance.md). Every figure is measured beside its baseline in the same run and
 * reported as a ratio: the tables go to stdout, the figures to test-results/bench/ (JSON, one file
 * per run and latest.json) with the chart (performance.svg); `--docs` also writes the chart to
 * docs/images/performance.svg and the tables into docs/performance.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../src/tooling/project-paths';
import { BenchContext } from './lib/context';
import { renderChart } from './report/chart';
import { runDescription, updateDocs } from './report/docs';
import type { BenchReport } from './report/report-types';
import { renderText, tables } from './report/table';
import { runColdStart } from './scenarios/cold-start';
import { runConnections } from './scenarios/connections';
import { runFanout } from './scenarios/fanout';
import { runHandshakeUnderFanout } from './scenarios/handshake-under-fanout';
import { runInbox } from './scenarios/inbox';
import { runPing } from './scenarios/ping';
import { runRequests } from './scenarios/requests';
import { runStartup } from './scenarios/startup';

const SECTIONS = ['ping', 'fanout', 'inbox', 'connections', 'startup', 'coldstart', 'requests', 'handshake'] as const;
type Section = (typeof SECTIONS)[number];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function parseSections(value: string | undefined): Section[] {
  if (value === undefined) return [...SECTIONS];
  const wanted = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  for (const item of wanted) {
    if (!(SECTIONS as readonly string[]).includes(item)) throw new UsageError(`--only takes ${SECTIONS.join(', ')}; got "${item}"`);
  }
  return wanted as Section[];
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, rounds: { type: 'string' }, docs: { type: 'boolean', default: false } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const quick = values.quick ?? false;
  const rounds = values.rounds === undefined ? (quick ? 1 : 3) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new UsageError(`--rounds takes a whole number from 1 to 20, got "${values.rounds}"`);
  const sections = parseSections(values.only);

  const home = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-bench-'));
  const ctx = new BenchContext({ quick, rounds }, home);
  Object.assign(process.env, ctx.env);
  const started = performance.now();
  const report: Mutable<BenchReport> = {
    startedAt: new Date().toISOString(),
    durationMs: 0,
    quick,
    rounds,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      totalMemoryBytes: os.totalmem(),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverageAtStart: os.loadavg(),
      loadAverageAtEnd: [],
    },
  };
  try {
    for (const section of sections) {
      const sectionStarted = performance.now();
      process.stdout.write(`${section}…\n`);
      if (section === 'ping') report.ping = await runPing(ctx);
      if (section === 'fanout') report.fanout = await runFanout(ctx);
      if (section === 'inbox') report.inbox = await runInbox(ctx);
      if (section === 'connections') report.connections = await runConnections(ctx);
      if (section === 'startup') report.startup = await runStartup(ctx);
      if (section === 'coldstart') report.coldStart = await runColdStart(ctx);
      if (section === 'requests') report.requests = await runRequests(ctx);
      if (section === 'handshake') report.handshakeUnderFanout = await runHandshakeUnderFanout(ctx);
      ctx.progress(`${section} done in ${((performance.now() - sectionStarted) / 1000).toFixed(1)} s`);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  report.durationMs = performance.now() - started;
  report.machine = { ...report.machine, loadAverageAtEnd: os.loadavg() };

  process.stdout.write(`\n${runDescription(report)}\n\n`);
  for (const table of tables(report)) process.stdout.write(`${renderText(table)}\n\n`);

  const outDirectory = path.join(PROJECT_ROOT, 'test-results', 'bench');
  mkdirSync(outDirectory, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const stamped = path.join(outDirectory, `bench-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(stamped, json);
  writeFileSync(path.join(outDirectory, 'latest.json'), json);
  const svg = renderChart(report);
  writeFileSync(path.join(outDirectory, 'performance.svg'), svg);
  process.stdout.write(`figures: ${path.relative(PROJECT_ROOT, stamped)} (and latest.json); chart: test-results/bench/performance.svg\n`);
  if (values.docs === true) {
    const written = updateDocs(report, svg);
    process.stdout.write(`docs: ${path.relative(PROJECT_ROOT, written.markdown)}, ${path.relative(PROJECT_ROOT, written.image)}\n`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
