/** Connection helpers the security tests share, over the test stack of test/helpers/local-stack.ts. */
import { eventually, type TestStack } from '../../../helpers/local-stack';
import type { TestClient } from '../../../helpers/ws-client';

/**
 * A new connection that has not authorized (mode `action`: its record is `pending`), and its id,
 * read from the record its `$connect` wrote before the handshake completed. Open these one at a
 * time: the id is the one record that was not there before.
 */
export async function openPending(t: TestStack, query = ''): Promise<{ client: TestClient; connectionId: string }> {
  const before = new Set((await t.records()).map((item) => item.connectionId?.S));
  const client = await t.connect(query);
  const fresh = (await t.records()).map((item) => item.connectionId?.S).filter((id): id is string => id !== undefined && !before.has(id));
  if (fresh.length !== 1) throw new Error(`expected one new connection record, found ${fresh.length}`);
  return { client, connectionId: fresh[0]! };
}

/** Waits until the table has no record of the connection (its `$disconnect` ran). */
export async function recordGone(t: TestStack, connectionId: string, timeoutMs = 10_000): Promise<void> {
  await eventually(`the record of ${connectionId} to be deleted`, async () => ((await t.record(connectionId)) === undefined ? true : undefined), timeoutMs);
}

/** Waits until the connections table is empty. */
export async function tableEmpty(t: TestStack, timeoutMs = 10_000): Promise<void> {
  await eventually('the connections table to be empty', async () => ((await t.records()).length === 0 ? true : undefined), timeoutMs);
}
