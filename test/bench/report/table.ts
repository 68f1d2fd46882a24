/** The benchmark's figures as text tables (stdout) and Markdown tables (docs/performance.md). */
import { budgetItems } from './budgets';
import { awsRequests, costPerMillion, seedPingCostPerMillion, SEED_PING, SEED_REQUESTS_PER_PING, type CostAssumptions } from './costs';
import type { BenchReport } from './report-types';
import type { Counters } from '../hosts/server-host-api';

export interface Table {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines printed under the table. */
  readonly notes?: readonly string[];
}

const ms = (value: number, digits = 2) => (Number.isFinite(value) ? `${value.toFixed(digits)} ms` : 'n/a');
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');
const perSecond = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)}/s` : 'n/a');
const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
const dollars = (value: number) => `$${value.toFixed(2)}`;

function requestSummary(counters: Counters): string {
  const parts = Object.entries(counters.requests)
    .filter(([, count]) => count > 0)
    .map(([key, count]) => `${key.replace(' (event-source-mapping)', '*')} ${Number.isInteger(count) ? count : count.toFixed(2)}`);
  return parts.length === 0 ? '—' : parts.join(', ');
}

function invocationSummary(counters: Counters): string {
  const parts = Object.entries(counters.invocations).map(([id, entry]) => `${id} ${Number.isInteger(entry.count) ? entry.count : entry.count.toFixed(2)}`);
  return parts.length === 0 ? '—' : parts.join(', ');
}

/** Write units per table write for a counted operation (see CostAssumptions). */
function assumptionsFor(operation: string, queryItems = 1): CostAssumptions {
  return { writeUnitsPerWrite: /mode action: \$connect/.test(operation) ? 1 : 2, queryItems };
}

export function tables(report: BenchReport): Table[] {
  const result: Table[] = [];
  const { ping, fanout, inbox, connections, startup, coldStart, requests } = report;
  if (ping !== undefined) {
    const row = (name: string, subject: typeof ping.stack) => [name, ms(subject.latency.p50, 3), ms(subject.latency.p99, 3), perSecond(subject.throughput), ms(subject.loadedLatency.p50, 1)];
    result.push({
      title: `Ping round trip: 1 connection sequential; throughput with ${ping.connections} connections, one message in flight each`,
      headers: ['subject', 'p50', 'p99', 'throughput', 'p50 under load'],
      rows: [
        row('local stack (gateway → Ping function → GetItem)', ping.stack),
        row('bare ws echo server', ping.bareEcho),
        row('one DynamoDB GetItem (SDK client, embedded)', ping.getItem),
        row('bare ws server + GetItem per message', ping.bareWsGetItem),
      ],
      notes: [
        `emulator overhead = ping − echo − GetItem: p50 ${ms(ping.emulatorOverheadMs.p50, 3)}, p99 ${ms(ping.emulatorOverheadMs.p99, 3)}`,
        `ratios: p50 vs GetItem ${times(ping.ratios.p50VsGetItem)}, vs bare ws + GetItem ${times(ping.ratios.p50VsBareWsGetItem)} (p99 ${times(ping.ratios.p99VsBareWsGetItem)}); ` +
          `throughput vs GetItem ${times(ping.ratios.throughputVsGetItem)}, vs bare ws + GetItem ${times(ping.ratios.throughputVsBareWsGetItem)}`,
      ],
    });
  }
  if (fanout !== undefined) {
    result.push({
      title: 'Fan-out: NotifyUser send → all K connections of the user have the frame (median)',
      headers: ['K', 'all delivered', 'first delivered', 'embedded SQS alone, K messages', 'best raw strategy', 'ratio'],
      rows: fanout.cases.map((entry) => [String(entry.connections), ms(entry.deliveredMs, 1), ms(entry.firstMs, 1), ms(entry.sqsBaselineMs, 1), entry.sqsBaselineStrategy, times(entry.ratioToSqsBaseline)]),
    });
  }
  if (inbox !== undefined) {
    result.push({
      title: `Inbox: resume of ${inbox.resume.notifications} stored notifications (median)`,
      headers: ['subject', 'time', 'ratio'],
      rows: [
        [`resume after 0 → resumed frame (${inbox.resume.notifications} replayed frames before it)`, ms(inbox.resume.resumeMs, 1), times(inbox.resume.ratio)],
        ['the embedded DynamoDB Query of the same items (strongly consistent, one request)', ms(inbox.resume.queryMs, 1), '1.00×'],
      ],
    });
    result.push({
      title: 'Inbox: fan-out through NotifyUser (inbox store, reads, batch sends) vs the same K NotifyConnection messages sent directly (median)',
      headers: ['K', 'NotifyUser send → all K', 'K NotifyConnection messages → all K', 'ratio'],
      rows: inbox.fanout.map((entry) => [String(entry.connections), ms(entry.withInboxMs, 1), ms(entry.notifyConnectionOnlyMs, 1), times(entry.ratio)]),
      notes: [
        `requests of one notification to a user with 1 connection: ${requestSummary(inbox.requestsPerNotification)}; invocations: ${invocationSummary(inbox.requestsPerNotification)}`,
      ],
    });
  }
  if (connections !== undefined) {
    const row = (name: string, memory: typeof connections.stack) => [
      name,
      kib(memory.perConnection.heapAndExternal),
      kib(memory.perConnection.heap),
      kib(memory.perConnection.external),
      kib(memory.perConnection.rss),
      perSecond(memory.handshakesPerSecond),
    ];
    result.push({
      title: `Memory per idle authorized connection (${connections.connections} held; server process measured, clients in another)`,
      headers: ['server', 'heap + external', 'V8 heap', 'external', 'process RSS', 'handshakes'],
      rows: [row('local stack', connections.stack), row('bare ws server', connections.bareWs)],
      notes: [
        `ratios: heap + external ${times(connections.ratios.heapAndExternal)}; without the embedded DynamoDB's copy of the records ` +
          `(${kib(connections.recordBytes.heap + connections.recordBytes.external)} each) ${times(connections.ratios.heapAndExternalWithoutRecords)}; RSS ${times(connections.ratios.rss)}`,
        `function instances (worker threads): ${connections.stack.before.workerThreads} before, ${connections.stack.after.workerThreads} after`,
      ],
    });
  }
  if (startup !== undefined) {
    result.push({
      title: 'Start-up',
      headers: ['what', 'time'],
      rows: [
        ['npm start → "Local stack ready" (spawned CLI), median', `${ms(startup.npmStartMedianMs, 0)} (${startup.npmStartMs.map((value) => value.toFixed(0)).join(', ')})`],
        ['  loading the runtime modules (in-process)', ms(startup.importMs, 0)],
        ...Object.entries(startup.phases).map(([phase, value]) => [`  startLocalStack: ${phase}`, ms(value, 1)]),
        ['  startLocalStack in total', ms(startup.startLocalStackMs, 0)],
        ['function bundles found up to date', ms(startup.bundlesUpToDateMs, 1)],
        ['function bundles built (esbuild, every function, SDK bundled and from the runtime)', ms(startup.bundlesBuildMs, 0)],
      ],
    });
  }
  if (coldStart !== undefined) {
    const empty = coldStart.empty;
    const source = coldStart.defaultSource;
    result.push({
      title:
        `Cold-start proxy: fresh node process, Node's start-up + module load + first invocation (median of ${coldStart.repeats}), ` +
        `each function beside its same-work baseline (same esbuild settings, environment, event and services); shipped: AWS SDK ${source}`,
      headers: ['function', 'bundle', 'load', 'first invocation', 'total', 'same-work baseline: bundle', 'load', 'first invocation', 'total', 'vs same work (budget)', 'vs empty handler'],
      rows: [
        ['empty handler', kib(empty.bytes), ms(empty.loadMs, 1), ms(empty.invokeMs, 1), ms(empty.totalMs, 1), '', '', '', '', '', '1.00×'],
        ...coldStart.functions.map((fn) => {
          const shipped = fn.variants[source];
          const baseline = fn.baselines[source];
          return [
            fn.functionId,
            kib(shipped.bytes),
            ms(shipped.loadMs, 1),
            ms(shipped.invokeMs, 1),
            ms(shipped.totalMs, 1),
            kib(baseline.bytes),
            ms(baseline.loadMs, 1),
            ms(baseline.invokeMs, 1),
            ms(baseline.totalMs, 1),
            times(fn.ratioToSameWork),
            times(fn.ratioToEmpty),
          ];
        }),
      ],
      notes: [
        `every total includes Node's start-up, ${ms(empty.bootMs, 1)} (median over every probe of the run)`,
        'same-work baseline: a minimal handler that creates the same AWS SDK clients and makes the same first AWS calls (and jose verification) for the same event, without Powertools, io-ts, logging or validation (test/bench/baselines)',
      ],
    });
    result.push({
      title: `Cold-start proxy: AWS SDK bundled vs the runtime's copy, and the cost of --enable-source-maps (median of ${coldStart.repeats})`,
      headers: ['function', 'bundle (SDK bundled / runtime)', 'total, SDK bundled', 'total, SDK runtime', 'baseline, SDK bundled', 'baseline, SDK runtime', 'faster', `shipped (SDK ${source}) without source maps`],
      rows: coldStart.functions.map((fn) => [
        fn.functionId,
        `${kib(fn.variants.bundled.bytes)} / ${kib(fn.variants.runtime.bytes)}`,
        ms(fn.variants.bundled.totalMs, 1),
        ms(fn.variants.runtime.totalMs, 1),
        ms(fn.baselines.bundled.totalMs, 1),
        ms(fn.baselines.runtime.totalMs, 1),
        fn.faster,
        ms(fn.withoutSourceMaps.totalMs, 1),
      ]),
    });
  }
  const operations = [...(requests?.operations ?? [])];
  for (const entry of fanout?.cases ?? []) {
    operations.push({ operation: `notification to a user with ${entry.connections} connection${entry.connections === 1 ? '' : 's'}`, times: 1, perOperation: entry.requests });
  }
  if (operations.length > 0) {
    const pingCount = requests?.operations.find((operation) => operation.operation === 'ping');
    const rows = operations.map((operation) => {
      const items = /notification to a user with (\d+)/.exec(operation.operation);
      const cost = costPerMillion(operation.perOperation, assumptionsFor(operation.operation, items ? Number(items[1]) : 1));
      return [
        operation.operation,
        requestSummary(operation.perOperation),
        invocationSummary(operation.perOperation),
        String(Number(awsRequests(operation.perOperation).toFixed(2))),
        `${operation.perOperation.messagesIn + operation.perOperation.messagesOut}`,
        dollars(cost.total),
      ];
    });
    if (pingCount !== undefined) {
      const billed = pingCount.perOperation.invocations.Ping?.billedMs ?? 1;
      rows.push([
        'ping, seed design (through a queue)',
        `sqs.SendMessage 1, sqs.ReceiveMessage* 1, sqs.DeleteMessage* 1, management.PostToConnection ${SEED_PING.managementApiCalls}`,
        'ping 1, delivery 1',
        String(SEED_REQUESTS_PER_PING),
        String(SEED_PING.apiGatewayMessages),
        dollars(seedPingCostPerMillion(billed).total),
      ]);
    }
    result.push({
      title: 'AWS requests per operation, counted at the embedded services and the Management API (* = the event source mapping\'s own calls)',
      headers: ['operation', 'service requests', 'Lambda invocations', 'AWS requests', 'API Gateway messages', 'US$ per million'],
      rows,
      notes: ['US$ per million: us-east-1 list prices looked up 2026-11-29 (docs/performance.md); Lambda compute from the local billed durations (a proxy)'],
    });
  }
  const handshake = report.handshakeUnderFanout;
  if (handshake !== undefined) {
    result.push({
      title: `Handshake latency, idle and during fan-outs to ${handshake.fanoutConnections} connections (${handshake.handshakesPerBurst} handshakes a burst, ${handshake.concurrency} in flight; every handshake of the bursts)`,
      headers: ['stack', 'p50', 'p95', 'handshakes', 'fan-out, median'],
      rows: [
        ['idle', ms(handshake.idle.p50Ms, 1), ms(handshake.idle.p95Ms, 1), String(handshake.idle.samples), ''],
        ['under fan-out', ms(handshake.underFanout.p50Ms, 1), ms(handshake.underFanout.p95Ms, 1), String(handshake.underFanout.samples), ms(handshake.fanoutMs, 0)],
      ],
      notes: [`ratios: p50 ${times(handshake.ratioP50)}, p95 ${times(handshake.ratioP95)}; bursts in order: ${handshake.bursts.map((entry) => `${entry.loaded ? 'loaded' : 'idle'} ${ms(entry.p50Ms, 1)}`).join(', ')}`],
    });
  }
  const budget = budgetItems(report);
  if (budget.length > 0) {
    result.push({
      title: 'Budget',
      headers: ['item', 'measured', 'limit', 'met', 'how'],
      rows: budget.map((entry) => [
        entry.label,
        entry.unit === '×' ? times(entry.value) : entry.unit === 'ms' ? ms(entry.value, entry.limit < 10 ? 3 : 0) : `${entry.value} ${entry.unit}`,
        `${entry.kind === 'max' ? '≤' : '≥'} ${entry.limit}${entry.unit === '×' ? '×' : ` ${entry.unit}`}`,
        entry.met ? 'yes' : 'NO',
        entry.detail,
      ]),
    });
  }
  return result;
}

/** Fixed-width text, for the terminal. */
export function renderText(table: Table): string {
  const widths = table.headers.map((header, column) => Math.max(header.length, ...table.rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [table.title, line(table.headers), widths.map((width) => '-'.repeat(width)).join('  '), ...table.rows.map(line), ...(table.notes ?? []).map((note) => `  ${note}`)].join('\n');
}

/** A Markdown table. */
export function renderMarkdown(table: Table): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `**${table.title}**`,
    '',
    `| ${table.headers.map(escape).join(' | ')} |`,
    `| ${table.headers.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
    ...(table.notes !== undefined && table.notes.length > 0 ? ['', ...table.notes.map((note) => `${note}.`)] : []),
  ].join('\n');
}
