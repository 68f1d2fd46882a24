/**
 * The benchmark's chart as a self-contained SVG (no dependency): ping latency beside its
 * baselines, and every budget item as its share of the budget (1.0 = at the limit).
 */
import { budgetItems } from './budgets';
import type { BenchReport } from './report-types';

const WIDTH = 920;
const LABEL_WIDTH = 330;
const BAR_WIDTH = WIDTH - LABEL_WIDTH - 190;
const ROW = 22;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Bar {
  readonly label: string;
  readonly values: readonly { readonly value: number; readonly color: string; readonly text: string }[];
}

function panel(title: string, top: number, bars: readonly Bar[], max: number, marker?: { readonly at: number; readonly label: string }): { svg: string; height: number } {
  const parts: string[] = [`<text x="10" y="${top + 16}" ${FONT} font-size="15" font-weight="600">${escapeXml(title)}</text>`];
  let y = top + 30;
  const scale = (value: number) => Math.max(1, Math.min(BAR_WIDTH, (value / max) * BAR_WIDTH));
  for (const bar of bars) {
    const rowHeight = bar.values.length * (ROW - 6) + 8;
    parts.push(`<text x="${LABEL_WIDTH - 8}" y="${y + rowHeight / 2 + 1}" ${FONT} font-size="12" text-anchor="end" dominant-baseline="middle">${escapeXml(bar.label)}</text>`);
    bar.values.forEach((entry, index) => {
      const barY = y + 4 + index * (ROW - 6);
      const width = Number.isFinite(entry.value) ? scale(entry.value) : 0;
      parts.push(`<rect x="${LABEL_WIDTH}" y="${barY}" width="${width.toFixed(1)}" height="${ROW - 9}" fill="${entry.color}" rx="2"/>`);
      parts.push(`<text x="${LABEL_WIDTH + width + 5}" y="${barY + (ROW - 9) / 2 + 1}" ${FONT} font-size="11" dominant-baseline="middle">${escapeXml(entry.text)}</text>`);
    });
    y += rowHeight;
  }
  if (marker !== undefined) {
    const x = LABEL_WIDTH + scale(marker.at);
    parts.push(`<line x1="${x}" y1="${top + 30}" x2="${x}" y2="${y}" stroke="#444" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${x}" y="${y + 12}" ${FONT} font-size="11" fill="#444" text-anchor="middle">${escapeXml(marker.label)}</text>`);
    y += 14;
  }
  return { svg: parts.join('\n'), height: y - top + 10 };
}

export function renderChart(report: BenchReport): string {
  const sections: string[] = [];
  let top = 10;
  const { ping } = report;
  if (ping !== undefined) {
    const p50 = '#4e79a7';
    const p99 = '#a0cbe8';
    const bar = (label: string, median: number, tail: number): Bar => ({
      label,
      values: [
        { value: median, color: p50, text: `p50 ${median.toFixed(2)} ms` },
        { value: tail, color: p99, text: `p99 ${tail.toFixed(2)} ms` },
      ],
    });
    const bars = [
      bar('local stack: gateway → Ping → GetItem', ping.stack.latency.p50, ping.stack.latency.p99),
      bar('bare ws server + GetItem per message', ping.bareWsGetItem.latency.p50, ping.bareWsGetItem.latency.p99),
      bar('one GetItem (SDK → embedded DynamoDB)', ping.getItem.latency.p50, ping.getItem.latency.p99),
      bar('bare ws echo', ping.bareEcho.latency.p50, ping.bareEcho.latency.p99),
    ];
    const max = Math.max(...bars.flatMap((entry) => entry.values.map((value) => value.value)).filter(Number.isFinite));
    const drawn = panel('Ping round trip, one connection (ms)', top, bars, max * 1.05);
    sections.push(drawn.svg);
    top += drawn.height;
  }
  const budget = budgetItems(report);
  if (budget.length > 0) {
    const bars = budget.map((entry): Bar => {
      const share = entry.kind === 'max' ? entry.value / entry.limit : entry.limit / entry.value;
      const value = entry.unit === '×' ? `${entry.value.toFixed(2)}×` : `${entry.value.toFixed(entry.limit < 10 ? 2 : 0)} ${entry.unit}`;
      return { label: entry.short, values: [{ value: share, color: entry.met ? '#59a14f' : '#e15759', text: `${value} (limit ${entry.kind === 'max' ? '≤' : '≥'} ${entry.limit}${entry.unit === '×' ? '×' : ` ${entry.unit}`})` }] };
    });
    const max = Math.max(1.25, ...bars.map((entry) => entry.values[0]?.value ?? 0).filter(Number.isFinite));
    const drawn = panel('Budget: share of each limit used (left of the line = within budget)', top, bars, max * 1.05, { at: 1, label: 'limit' });
    sections.push(drawn.svg);
    top += drawn.height;
  }
  const { machine } = report;
  const footer = `${report.startedAt.slice(0, 19).replace('T', ' ')} UTC · ${machine.cpus} × ${machine.cpuModel} · Node ${machine.node} · load average ${machine.loadAverageAtStart[0]?.toFixed(2) ?? '?'} → ${machine.loadAverageAtEnd[0]?.toFixed(2) ?? '?'}${report.quick ? ' · --quick' : ''}`;
  sections.push(`<text x="10" y="${top + 14}" ${FONT} font-size="11" fill="#666">${escapeXml(footer)}</text>`);
  top += 26;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top}" viewBox="0 0 ${WIDTH} ${top}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...sections,
    '</svg>',
    '',
  ].join('\n');
}
