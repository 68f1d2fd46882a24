/**
 * Races and churn on the real local stack (docs/security.md: the authorize/disconnect race never
 * leaves a record):
 * - mode `action`: 200 connections each send `authorize` with a valid token and go away at once or
 *   0–21 ms later (Authorize takes a few ms to a few tens of ms, depending on load), by close frame
 *   or by dropping TCP — afterwards no record is left;
 * - mode `authorizer`: 2,000 connect/disconnect cycles, 40 at a time — afterwards the table is empty.
 * "Afterwards" is checked twice: polling until the `$disconnect`s have drained, and again after
 * the gateway has closed, which waits for every invocation it started (so no late `authorize`
 * can still be on its way to re-create a record).
 *
 * Set SECURITY_FUZZ_STATS=1 to print the outcomes and the rates.
 */
import { eventually, startTestStack, type TestStack } from '../helpers/local-stack';
import { sleep, type TestClient } from '../helpers/ws-client';
import { tableEmpty } from '../integration/security/helpers/connections';
import { InvocationWatch, structuredLogs } from '../integration/security/helpers/observe';

const INTERLEAVINGS = 200;
const CYCLES = 2_000;
const CONCURRENCY = 40;

/** Runs `task(0…count-1)` with at most `concurrency` at a time. */
async function pool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** How a client goes away: a close frame or a dropped TCP connection, at once or after a delay. */
type Ending = { readonly how: 'close' | 'terminate'; readonly delayMs: number | 'same-tick' };
const ENDINGS: readonly Ending[] = (['close', 'terminate'] as const).flatMap((how) =>
  (['same-tick', 0, 1, 2, 3, 5, 8, 13, 21] as const).map((delayMs) => ({ how, delayMs })),
);

async function goAway(client: TestClient, ending: Ending): Promise<void> {
  if (ending.delayMs !== 'same-tick') await sleep(ending.delayMs);
  if (ending.how === 'close') client.socket.close(1000);
  else client.socket.terminate();
  await client.closed;
}

const print = (line: string): void => {
  if (process.env.SECURITY_FUZZ_STATS !== undefined) console.log(line);
};

describe('Security: authorize racing disconnect on the real stack (mode action)', () => {
  let t: TestStack;
  let watch: InvocationWatch;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local', authMode: 'action', authorizeTimeoutSeconds: 900, endpointsFile: false });
    watch = new InvocationWatch(t.stack);
  });

  afterAll(async () => {
    watch.stop();
    await t.close();
  });

  it(`leaves no record after ${INTERLEAVINGS} authorize-then-disconnect interleavings`, async () => {
    // Prepare
    const tokens = await Promise.all([0, 1, 2, 3, 4].map((user) => t.token(`racer-${user}`)));
    const logsFrom = t.logs.length;
    const started = performance.now();

    // Act: send authorize, then leave: in the same tick, or 0–21 ms later; by close frame or by dropping TCP.
    await pool(INTERLEAVINGS, 20, async (index) => {
      const client = await t.connect();
      client.socket.send(JSON.stringify({ action: 'authorize', token: tokens[index % tokens.length] }));
      await goAway(client, ENDINGS[index % ENDINGS.length]!);
    });

    // Assess: every $disconnect ran and the table drained…
    await eventually('every $disconnect to finish', () => (watch.finished('Disconnect') >= INTERLEAVINGS ? true : undefined), 20_000);
    await tableEmpty(t, 20_000);
    // …and stays empty once every invocation the gateway started (late authorizes included) has finished.
    await t.stack.gateway.close();
    expect(await t.records()).toEqual([]);
    expect(watch.finished('Disconnect')).toBe(INTERLEAVINGS);
    expect(watch.idle('Authorize', 'Disconnect', 'Connect')).toBe(true);
    expect(watch.failures).toEqual([]);
    const authorizeLogs = structuredLogs(t.logs, 'Authorize', logsFrom);
    const won = authorizeLogs.filter((item) => item.message === 'Connection authorized').length;
    const lost = authorizeLogs.filter((item) => item.message === 'Authorize lost a race with a disconnect or another authorize').length;
    // Some authorize messages reached the function before their connection was gone.
    expect(watch.count('Authorize')).toBeGreaterThan(0);
    print(
      `authorize/disconnect: ${INTERLEAVINGS} interleavings in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        `Authorize ran ${watch.count('Authorize')} times: ${won} authorized a still-present record (then deleted by $disconnect), ${lost} lost the race at the conditional write, ` +
        `${watch.count('Authorize') - won - lost} found no record`,
    );
  }, 60_000);
});

describe('Security: connect/disconnect churn (mode authorizer)', () => {
  let t: TestStack;
  let watch: InvocationWatch;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local', authMode: 'authorizer', endpointsFile: false });
    watch = new InvocationWatch(t.stack);
  });

  afterAll(async () => {
    watch.stop();
    await t.close();
  });

  it(`leaves the table empty after ${CYCLES} connect/disconnect cycles, ${CONCURRENCY} at a time`, async () => {
    // Prepare
    const tokens = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((user) => t.token(`churn-${user}`)));
    let connected = 0;
    const started = performance.now();

    // Act: connect, then go away (close frame or dropped TCP, at once or up to 21 ms later; some after a ping).
    await pool(CYCLES, CONCURRENCY, async (index) => {
      const client = await t.connect(`?token=${tokens[index % tokens.length]}`);
      connected += 1;
      if (index % 3 === 0) client.socket.send(JSON.stringify({ action: 'ping' }));
      await goAway(client, ENDINGS[index % ENDINGS.length]!);
    });
    const cycleSeconds = (performance.now() - started) / 1000;

    // Assess
    expect(connected).toBe(CYCLES);
    await eventually('every $disconnect to finish', () => (watch.finished('Disconnect') >= CYCLES ? true : undefined), 30_000);
    await tableEmpty(t, 30_000);
    await t.stack.gateway.close();
    expect(await t.records()).toEqual([]);
    expect(watch.count('Connect')).toBe(CYCLES);
    expect(watch.finished('Disconnect')).toBe(CYCLES);
    expect(watch.failures).toEqual([]);
    print(`connect/disconnect: ${CYCLES} cycles in ${cycleSeconds.toFixed(1)} s = ${Math.round(CYCLES / cycleSeconds)} cycles/s, drained ${((performance.now() - started) / 1000).toFixed(1)} s after the first`);
  }, 120_000);
});
