/**
 * The per-user connection limit on the real local stack (stage `dev`, default maximum 20), in both
 * modes: one token used to open as many connections as it liked, and each of them multiplied every
 * notification to its user. Past the limit mode `authorizer` refuses the handshake with 429 and
 * mode `action` answers `authorize` with `too_many_connections`, leaving the connection pending. A
 * record whose `$disconnect` never arrived does not lock the user out: at the limit the stack asks
 * the Management API about each counted connection, and deletes the records of those that are gone.
 */
import { PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DEFAULT_MAX_CONNECTIONS_PER_USER } from '../../../src/commons/constants';
import { recordToItem } from '../../../src/commons/clients/connection-store';
import { newAuthorizedConnection, type AuthMode } from '../../../src/commons/connection-record';
import { eventually, frame, startTestStack, type TestStack } from '../../helpers/local-stack';
import type { TestClient } from '../../helpers/ws-client';
import { recordGone } from './helpers/connections';

const MAX = DEFAULT_MAX_CONNECTIONS_PER_USER;
const ping = JSON.stringify({ action: 'ping' });

async function userRecords(t: TestStack, userId: string): Promise<Record<string, AttributeValue>[]> {
  return (await t.records()).filter((item) => item.userId?.S === userId);
}

/** Writes the authorized record of a connection that does not exist, as a `$disconnect` that never arrived leaves it. */
async function putStaleRecord(t: TestStack, connectionId: string, userId: string, authMode: AuthMode): Promise<void> {
  const now = Date.now();
  const record = newAuthorizedConnection({ connectionId, connectedAt: now, authorizedAt: now, userId, expiresAt: Math.floor(now / 1000) + 3600, authMode });
  await t.dynamodb.send(new PutItemCommand({ TableName: t.stack.endpoints.tableName, Item: recordToItem(record) }));
}

async function closeAll(clients: readonly TestClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.close(1000)));
}

describe('Security: connections per user (mode authorizer)', () => {
  let t: TestStack;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'dev', authMode: 'authorizer', endpointsFile: false });
  });

  afterAll(async () => {
    await t.close();
  });

  it(`refuses the handshake past ${MAX} connections with 429, writes nothing, and admits the user again once one closes`, async () => {
    // Prepare
    const token = await t.token('many');
    const clients: TestClient[] = [];
    for (let index = 0; index < MAX; index += 1) clients.push(await t.connect(`?token=${token}`));

    // Act
    const refused = await t.refused(`?token=${token}`);

    // Assess
    expect(refused.status).toBe(429);
    expect(await userRecords(t, 'many')).toHaveLength(MAX);
    expect(frame(await t.connect(`?token=${await t.token('someone-else')}`).then((client) => client.request(ping, 10_000))).type).toBe('pong');

    // Act: one of the connections leaves.
    const [leaving, ...staying] = clients;
    await leaving?.close(1000);
    await eventually('the record of the closed connection to be deleted', async () => ((await userRecords(t, 'many')).length === MAX - 1 ? true : undefined));
    const again = await t.connect(`?token=${token}`);

    // Assess
    expect(frame(await again.request(ping, 10_000)).type).toBe('pong');
    await closeAll([...staying, again]);
  });

  it('does not count a record whose $disconnect never arrived: the connection is found gone, its record deleted, and the user gets in', async () => {
    // Prepare: the user holds MAX - 1 connections and a stale record.
    const token = await t.token('stale');
    const clients: TestClient[] = [];
    for (let index = 0; index < MAX - 1; index += 1) clients.push(await t.connect(`?token=${token}`));
    await putStaleRecord(t, 'gone-without-disconnect=', 'stale', 'authorizer');
    expect(await userRecords(t, 'stale')).toHaveLength(MAX);

    // Act
    const client = await t.connect(`?token=${token}`);

    // Assess
    expect(frame(await client.request(ping, 10_000)).type).toBe('pong');
    expect(await t.record('gone-without-disconnect=')).toBeUndefined();
    expect(await userRecords(t, 'stale')).toHaveLength(MAX);
    await closeAll([...clients, client]);
  });
});

describe('Security: connections per user (mode action)', () => {
  let t: TestStack;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'dev', authorizeTimeoutSeconds: 300, endpointsFile: false });
  });

  afterAll(async () => {
    await t.close();
  });

  const authorize = async (client: TestClient, userId: string) =>
    frame(await client.request(JSON.stringify({ action: 'authorize', token: await t.token(userId) }), 10_000));

  it(`answers authorize past ${MAX} connections with too_many_connections, keeps the connection pending, and authorizes it once another closes`, async () => {
    // Prepare
    const connections: { client: TestClient; connectionId: string }[] = [];
    for (let index = 0; index < MAX; index += 1) connections.push(await t.connectAs('many'));
    const extra = await t.connect();

    // Act
    const refused = await authorize(extra, 'many');
    const stillPending = frame(await extra.request(ping, 10_000));

    // Assess: refused, not counted as a failed attempt, still pending and open.
    expect(refused).toMatchObject({ type: 'error', code: 'too_many_connections' });
    expect(stillPending).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect(await userRecords(t, 'many')).toHaveLength(MAX);
    expect((await t.records()).filter((item) => item.state?.S === 'pending' && item.failedAttempts?.N === '0')).toHaveLength(1);

    // Act: one of the connections leaves, and the extra one authorizes again.
    const [leaving, ...staying] = connections;
    await leaving?.client.close(1000);
    await recordGone(t, leaving?.connectionId ?? '');
    const authorized = await authorize(extra, 'many');

    // Assess
    expect(authorized).toMatchObject({ type: 'authorized', userId: 'many' });
    await closeAll([...staying.map(({ client }) => client), extra]);
  });

  it('does not count a record whose $disconnect never arrived when a pending connection authorizes', async () => {
    // Prepare
    const connections: TestClient[] = [];
    for (let index = 0; index < MAX - 1; index += 1) connections.push((await t.connectAs('stale')).client);
    await putStaleRecord(t, 'gone-without-disconnect=', 'stale', 'action');
    const extra = await t.connect();

    // Act
    const reply = await authorize(extra, 'stale');

    // Assess
    expect(reply).toMatchObject({ type: 'authorized', userId: 'stale' });
    expect(await t.record('gone-without-disconnect=')).toBeUndefined();
    await closeAll([...connections, extra]);
  });
});
