/**
 * The performance budget (docs/performance.md): each item is a measured figure beside its limit.
 * A ratio item compares the local stack with its baseline measured in the same run.
 */
import { SEED_REQUESTS_PER_PING, awsRequests } from './costs';
import type { BenchReport } from './report-types';

export interface BudgetItem {
  readonly id: string;
  readonly label: string;
  /** A few words, for the chart. */
  readonly short: string;
  readonly value: number;
  readonly unit: string;
  /** `max`: value ≤ limit; `min`: value ≥ limit. */
  readonly kind: 'max' | 'min';
  readonly limit: number;
  readonly met: boolean;
  /** How the value was obtained, in a few words. */
  readonly detail: string;
}

function item(id: string, short: string, label: string, value: number, unit: string, kind: 'max' | 'min', limit: number, detail: string): BudgetItem {
  const met = Number.isFinite(value) && (kind === 'max' ? value <= limit : value >= limit);
  return { id, short, label, value, unit, kind, limit, met, detail };
}

export function budgetItems(report: BenchReport): BudgetItem[] {
  const items: BudgetItem[] = [];
  const { ping, fanout, connections, startup, coldStart, requests } = report;
  if (ping !== undefined) {
    items.push(
      item('ping-overhead', 'ping: emulator overhead, p50', 'Emulator overhead on a ping, median', ping.emulatorOverheadMs.p50, 'ms', 'max', 0.5, 'ping p50 − bare ws echo p50 − one GetItem p50'),
      item(
        'ping-throughput',
        'ping: throughput ÷ bare ws + GetItem',
        `Ping throughput vs one GetItem per message: a bare ws server doing it (${ping.connections} connections)`,
        // What one GetItem per message allows is what a server doing nothing else per message
        // reaches: the peer reference, a bare ws server doing the same GetItem. The GetItem
        // client alone, with no WebSocket at all, is shown beside it.
        ping.ratios.throughputVsBareWsGetItem,
        '×',
        'min',
        0.8,
        `${ping.stack.throughput.toFixed(0)}/s vs ${ping.bareWsGetItem.throughput.toFixed(0)}/s (GetItem alone ${ping.getItem.throughput.toFixed(0)}/s: ${ping.ratios.throughputVsGetItem.toFixed(2)}×)`,
      ),
    );
  }
  if (fanout !== undefined) {
    const largest = [...fanout.cases].sort((a, b) => b.connections - a.connections)[0];
    const single = fanout.cases.find((entry) => entry.connections === 1);
    if (largest !== undefined && largest.connections > 1) {
      items.push(
        item(
          `fanout-${largest.connections}`,
          `fan-out to ${largest.connections} ÷ SQS alone`,
          `Fan-out to ${largest.connections} connections vs the embedded SQS moving ${largest.connections} messages`,
          largest.ratioToSqsBaseline,
          '×',
          'max',
          2,
          `${largest.deliveredMs.toFixed(0)} ms vs ${largest.sqsBaselineMs.toFixed(0)} ms`,
        ),
      );
    }
    if (single !== undefined) items.push(item('fanout-1', 'fan-out to 1 connection', 'Fan-out to 1 connection', single.deliveredMs, 'ms', 'max', 50, 'NotifyUser send → frame received'));
  }
  if (connections !== undefined) {
    items.push(
      item(
        'memory',
        'memory per connection ÷ bare ws',
        `Memory per idle authorized connection vs bare ws (${connections.connections} held)`,
        connections.ratios.heapAndExternal,
        '×',
        'max',
        2,
        `${(connections.stack.perConnection.heapAndExternal / 1024).toFixed(2)} KiB vs ${(connections.bareWs.perConnection.heapAndExternal / 1024).toFixed(2)} KiB (V8 heap + external)`,
      ),
    );
  }
  if (startup !== undefined) items.push(item('startup', 'npm start → ready', '`npm start` to `Local stack ready`', startup.npmStartMedianMs, 'ms', 'max', 4000, 'spawned CLI, median'));
  if (coldStart !== undefined) {
    for (const fn of coldStart.functions) {
      const shipped = fn.variants[coldStart.defaultSource];
      const baseline = fn.baselines[coldStart.defaultSource];
      items.push(
        item(
          `cold-start-${fn.functionId}`,
          `cold start ${fn.functionId} ÷ same work`,
          `Cold-start proxy ${fn.functionId} vs the minimal bundle for the same work`,
          fn.ratioToSameWork,
          '×',
          'max',
          2,
          `${shipped.totalMs.toFixed(0)} ms vs ${baseline.totalMs.toFixed(0)} ms (empty handler ${coldStart.empty.totalMs.toFixed(0)} ms: ${fn.ratioToEmpty.toFixed(2)}×)`,
        ),
      );
    }
  }
  const pingCount = requests?.operations.find((operation) => operation.operation === 'ping');
  if (pingCount !== undefined) {
    const perPing = awsRequests(pingCount.perOperation);
    items.push(item('requests-per-ping', 'AWS requests per ping ÷ seed', 'AWS requests per ping vs the seed design', perPing / SEED_REQUESTS_PER_PING, '×', 'max', 0.5, `${perPing.toFixed(2)} vs ${SEED_REQUESTS_PER_PING}`));
  }
  const handshake = report.handshakeUnderFanout;
  if (handshake !== undefined) {
    items.push(
      item(
        'handshake-under-fanout',
        `handshake during a ${handshake.fanoutConnections}-connection fan-out ÷ idle, p50`,
        `Handshake latency during fan-outs to ${handshake.fanoutConnections} connections vs idle, median`,
        handshake.ratioP50,
        '×',
        'max',
        1.5,
        `${handshake.underFanout.p50Ms.toFixed(1)} ms vs ${handshake.idle.p50Ms.toFixed(1)} ms (p95 ${handshake.ratioP95.toFixed(2)}×)`,
      ),
    );
  }
  return items;
}
