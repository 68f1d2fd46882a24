/**
 * Hostile frames against the real local stack (docs/protocol.md, docs/security.md): a fast-check run of 10,000 generated
 * text frames (test/integration/security/helpers/hostile-frames.ts), spread round robin over two authorized connections and
 * one that has not authorized (mode `action`, pending), over real `ws` connections. Every frame must
 * get exactly the reply the protocol prescribes, derived by the test's own oracle
 * (test/integration/security/helpers/frame-oracle.ts); no function may fail, the gateway may not warn, nothing may reject
 * unhandled; every connection still answers `ping`, and the table holds exactly the live
 * connections.
 *
 * Frames are sent in batches of BATCH_SIZE, pipelined on each connection. API Gateway answers
 * a connection's messages in completion order and a reply carries no request id, so a batch's
 * replies are compared with the expected replies as a multiset. `authorize` frames change the
 * connection (failed attempts; the third closes it), so they are sent one at a time after the
 * batch, and a connection closed by `too_many_attempts` is replaced by a new one.
 *
 * Set SECURITY_FUZZ_STATS=1 to print the frame count, the kinds covered and frames per second.
 */
import fc from 'fast-check';
import type { WebSocket } from 'ws';
import { eventually, frame, startTestStack, type TestStack } from '../helpers/local-stack';
import type { TestClient } from '../helpers/ws-client';
import { createForger, JWT_ATTACKS } from '../integration/security/helpers/attack-tokens';
import { openPending, tableEmpty } from '../integration/security/helpers/connections';
import { canonicalReply, errorReply, expectedAuthorizeCode, expectedReply, routeOf, type ExpectedReply } from '../integration/security/helpers/frame-oracle';
import { hostileFrames, MAX_FRAME_BYTES, type HostileFrame } from '../integration/security/helpers/hostile-frames';
import { InvocationWatch, ProcessFailureWatch, structuredLogs } from '../integration/security/helpers/observe';

const FRAMES = 10_000;
const BATCH_SIZE = 50;
const REPLY_TIMEOUT_MS = 20_000;
/** The connections the frames are spread over, round robin. */
const LANES: readonly Lane['kind'][] = ['authorized', 'pending', 'authorized'];

interface Lane {
  readonly kind: 'authorized' | 'pending';
  client: TestClient;
  connectionId: string;
  failedAttempts: number;
  replaced: number;
}

/** Sends one text message: one frame up to 32 KB, else 32 KB fragments (a text frame, then continuations). */
function sendText(socket: WebSocket, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_FRAME_BYTES) {
    socket.send(bytes, { binary: false });
    return;
  }
  for (let offset = 0; offset < bytes.length; offset += MAX_FRAME_BYTES) {
    socket.send(bytes.subarray(offset, offset + MAX_FRAME_BYTES), { binary: false, fin: offset + MAX_FRAME_BYTES >= bytes.length });
  }
}

/** Short, printable form of a frame for a failure report. */
function describeFrame(hostile: HostileFrame): string {
  const bytes = Buffer.byteLength(hostile.text);
  return `${hostile.kind} (${bytes} B): ${JSON.stringify(hostile.text.slice(0, 120))}${hostile.text.length > 120 ? '…' : ''}`;
}

describe('Security: hostile frames on the real local stack (mode action)', () => {
  let t: TestStack;
  let watch: InvocationWatch;
  const processFailures = new ProcessFailureWatch();
  const lanes: Lane[] = [];

  beforeAll(async () => {
    processFailures.install();
    t = await startTestStack({ stage: 'local', authMode: 'action', authorizeTimeoutSeconds: 900, endpointsFile: false });
    watch = new InvocationWatch(t.stack);
  });

  afterAll(async () => {
    try {
      // Closing the connections deletes their records (a failure here fails the file).
      await Promise.all(lanes.map((lane) => lane.client.close(1000)));
      await tableEmpty(t);
    } finally {
      watch.stop();
      await t.close();
      processFailures.uninstall();
    }
  });

  /** Lanes open one at a time: a pending connection's id is the one new record in the table. */
  let opening: Promise<unknown> = Promise.resolve();
  function openLane(kind: Lane['kind'], replaced = 0): Promise<Lane> {
    const opened = opening.then(() => openLaneNow(kind, replaced));
    opening = opened.catch(() => undefined);
    return opened;
  }

  async function openLaneNow(kind: Lane['kind'], replaced: number): Promise<Lane> {
    if (kind === 'authorized') {
      const { client, connectionId } = await t.connectAs('fuzz-user');
      return { kind, client, connectionId, failedAttempts: 0, replaced };
    }
    const { client, connectionId } = await openPending(t);
    return { kind, client, connectionId, failedAttempts: 0, replaced };
  }

  /** Pipelines the frames on the lane; resolves with the canonical replies, in arrival order. */
  async function exchange(lane: Lane, texts: readonly string[]): Promise<ExpectedReply[]> {
    const replies = texts.map(() => lane.client.next(REPLY_TIMEOUT_MS));
    for (const text of texts) sendText(lane.client.socket, text);
    return (await Promise.all(replies)).map(canonicalReply);
  }

  /** One authorize frame that must fail: the reply the count predicts; the third failure closes and replaces the lane. */
  async function failedAuthorize(lane: Lane, text: string): Promise<void> {
    const code = expectedAuthorizeCode(text);
    lane.failedAttempts += 1;
    const [reply] = await exchange(lane, [text]);
    if (lane.failedAttempts < 3) {
      expect(reply).toBe(errorReply(code));
      return;
    }
    expect(reply).toBe(errorReply('too_many_attempts'));
    expect((await lane.client.closed).code).toBe(1000);
    Object.assign(lane, await openLane(lane.kind, lane.replaced + 1));
  }

  /** What the run of beforeAll saw; each test below checks one outcome of it, in any order. */
  interface RunOutcome {
    readonly result: fc.RunDetails<[HostileFrame[]]>;
    readonly kinds: ReadonlyMap<string, number>;
    readonly sent: { readonly authorized: number; readonly pending: number };
  }
  let run: RunOutcome;

  beforeAll(async () => {
    // Prepare
    const forger = await createForger(t.stack.stage, 'fuzz-user');
    const forged = await Promise.all(JWT_ATTACKS.map((attack) => attack.build(forger)));
    for (const kind of LANES) lanes.push(await openLane(kind));
    const kinds = new Map<string, number>();
    const sent = { authorized: 0, pending: 0 };
    let bytesSent = 0;
    const started = performance.now();

    // Act
    const result = await fc.check(
      fc.asyncProperty(fc.array(hostileFrames(forged), { minLength: BATCH_SIZE, maxLength: BATCH_SIZE }), async (batch) => {
        for (const hostile of batch) kinds.set(hostile.kind, (kinds.get(hostile.kind) ?? 0) + 1);
        // Frame i of the batch goes to lane i mod LANES.length.
        await Promise.all(
          lanes.map(async (lane, index) => {
            const mine = batch.filter((_, position) => position % lanes.length === index);
            const authorizing = mine.filter((hostile) => routeOf(hostile.text) === 'authorize');
            const routed = mine.filter((hostile) => !authorizing.includes(hostile));
            const expected = routed.map((hostile) => expectedReply(hostile.text, lane.connectionId, lane.kind === 'authorized'));
            const received = await exchange(
              lane,
              routed.map((hostile) => hostile.text),
            );
            expect([...received].sort()).toEqual([...expected].sort());
            for (const hostile of authorizing) await failedAuthorize(lane, hostile.text);
            sent[lane.kind] += mine.length;
          }),
        );
        bytesSent += batch.reduce((sum, hostile) => sum + Buffer.byteLength(hostile.text), 0);
      }),
      { numRuns: FRAMES / BATCH_SIZE, endOnFailure: true },
    );
    const seconds = (performance.now() - started) / 1000;
    run = { result, kinds, sent };
    if (process.env.SECURITY_FUZZ_STATS !== undefined) {
      const replaced = lanes.map((lane) => `${lane.kind}: ${lane.replaced}`).join(', ');
      console.log(
        `hostile frames: ${FRAMES} generated and sent (${sent.authorized} on authorized, ${sent.pending} on pending connections; ${(bytesSent / 1e6).toFixed(1)} MB) ` +
          `in ${seconds.toFixed(1)} s = ${Math.round(FRAMES / seconds)} frames/s; ` +
          `connections replaced after too_many_attempts: ${replaced}; kinds: ${JSON.stringify(Object.fromEntries(kinds))}`,
      );
    }
  }, 240_000);

  it(`answers ${FRAMES} generated frames exactly as the protocol prescribes, on an authorized and on a pending connection`, () => {
    const { result, kinds, sent } = run;

    // The property held for every batch (a failure names the seed and the batch, shortened).
    if (result.failed) {
      const batch = (result.counterexample?.[0] ?? []).map(describeFrame).join('\n  ');
      throw new Error(`hostile-frame property failed (seed ${result.seed}, path ${result.counterexamplePath ?? ''}):\n${String(result.errorInstance)}\nbatch:\n  ${batch}`);
    }
    expect(result.numRuns).toBe(FRAMES / BATCH_SIZE);
    expect(sent.authorized + sent.pending).toBe(FRAMES);
    expect(sent.pending).toBeGreaterThan(FRAMES / 4);
    // The run covered every kind of hostile frame.
    expect([...kinds.keys()].sort()).toEqual(
      ['crafted', 'deep-action', 'deep-name', 'deep-token', 'graphemes', 'huge', 'json-not-object', 'object', 'object-in-array', 'prefixed-object', 'random-text', 'truncated-json', 'unbalanced-nesting'].sort(),
    );
  });

  it('leaves every connection answering ping, with nothing unanswered or extra', async () => {
    expect(lanes).toHaveLength(LANES.length);
    for (const lane of lanes) {
      const reply = frame(await lane.client.request(JSON.stringify({ action: 'ping', name: 'still here' })));
      expect(reply).toEqual(
        lane.kind === 'authorized'
          ? { type: 'pong', name: 'still here', connectionId: lane.connectionId }
          : { type: 'error', code: 'unauthorized', message: expect.any(String) as string },
      );
    }
    // A second round trip on each lane: a stray reply to the run would have come before its pong.
    for (const lane of lanes) await lane.client.request(JSON.stringify({ action: 'ping' }));
    for (const lane of lanes) expect(lane.client.pending).toEqual([]);
  });

  it('broke nothing: no function failed or logged an error, the gateway never warned, no rejection went unhandled', () => {
    // Every frame ran a route function (Default, Ping or Authorize).
    expect(watch.count('Default') + watch.count('Ping') + watch.count('Authorize')).toBeGreaterThanOrEqual(FRAMES);
    expect(watch.failures).toEqual([]);
    const functionIds = Object.keys(t.stack.model.functions);
    const errors = functionIds.flatMap((functionId) => structuredLogs(t.logs, functionId).filter((item) => item.level === 'ERROR'));
    expect(errors).toEqual([]);
    expect(t.logs.filter((entry) => entry.source === 'gateway')).toEqual([]);
    expect(processFailures.failures).toEqual([]);
  });

  it('keeps exactly the live connections in the table: authorized, pending; none of the replaced ones', async () => {
    await eventually('the replaced connections to be deleted', async () => ((await t.records()).length === lanes.length ? true : undefined));

    const records = await t.records();

    expect(records.map((item) => item.connectionId?.S).sort()).toEqual(lanes.map((lane) => lane.connectionId).sort());
    for (const lane of lanes) {
      const record = await t.record(lane.connectionId);
      if (lane.kind === 'authorized') expect(record).toMatchObject({ state: { S: 'authorized' }, userId: { S: 'fuzz-user' } });
      else expect(record).toMatchObject({ state: { S: 'pending' } });
      if (lane.kind === 'pending') expect(record?.userId).toBeUndefined();
    }
  });
});
