/**
 * `npm run bench -- --docs`: the chart goes to docs/images/performance.svg and the tables replace
 * what lies between the generated-section markers of docs/performance.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../src/tooling/project-paths';
import type { BenchReport } from './report-types';
import { renderMarkdown, tables } from './table';

export const BEGIN_MARKER = '<!-- bench:generated:begin -->';
export const END_MARKER = '<!-- bench:generated:end -->';

export function runDescription(report: BenchReport): string {
  const { machine } = report;
  const load = `${machine.loadAverageAtStart[0]?.toFixed(2) ?? '?'} at the start, ${machine.loadAverageAtEnd[0]?.toFixed(2) ?? '?'} at the end`;
  return (
    `Run of ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC${report.quick ? ' (`--quick`: indicative only)' : ''}, ${report.rounds} round(s), ` +
    `${(report.durationMs / 1000).toFixed(0)} s; ${machine.cpus} × ${machine.cpuModel}, ${(machine.totalMemoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${machine.node}; ` +
    `1-minute load average ${load}.`
  );
}

export function updateDocs(report: BenchReport, svg: string): { markdown: string; image: string } {
  const image = path.join(PROJECT_ROOT, 'docs', 'images', 'performance.svg');
  mkdirSync(path.dirname(image), { recursive: true });
  writeFileSync(image, svg);
  const markdown = path.join(PROJECT_ROOT, 'docs', 'performance.md');
  const text = readFileSync(markdown, 'utf8');
  const begin = text.indexOf(BEGIN_MARKER);
  const end = text.indexOf(END_MARKER);
  if (begin === -1 || end < begin) throw new Error(`docs/performance.md has no ${BEGIN_MARKER} … ${END_MARKER} section`);
  const generated = [BEGIN_MARKER, '', `_${runDescription(report)}_`, '', ...tables(report).flatMap((table) => [renderMarkdown(table), '']), END_MARKER].join('\n');
  writeFileSync(markdown, `${text.slice(0, begin)}${generated}${text.slice(end + END_MARKER.length)}`);
  return { markdown, image };
}
