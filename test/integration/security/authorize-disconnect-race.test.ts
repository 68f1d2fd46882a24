/**
 * The authorize / disconnect race at handler level (a late authorize must never re-create
 * the record of a connection that has already disconnected), explored with fast-check's
 * scheduler: `handleAuthorize` (one to three concurrent messages, valid or not, for the owner or
 * another user) and `handleDisconnect` run together over the real ConnectionStore and a real
 * embedded DynamoDB (dynalite, the table of the synthesized stack), and every DynamoDB call waits
 * for the scheduler, which releases them one at a time in an order of its choosing; released calls
 * reach DynamoDB in that order. Whatever the order, once `$disconnect` has run no record may remain,
 * and no two users may both be told `authorized`.
 *
 * This lives under test/integration because dynalite listens on a loopback port (unit tests never
 * touch the network).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { getStage } from '../../../infra/stages';
import { ConnectionStore } from '../../../src/commons/clients/connection-store';
import { GatewayClient } from '../../../src/commons/clients/gateway-client';
import { InboxStore } from '../../../src/commons/clients/inbox-store';
import { newAuthorizedConnection, newPendingConnection } from '../../../src/commons/connection-record';
import { handleAuthorize } from '../../../src/handlers/authorize';
import { handleDisconnect } from '../../../src/handlers/disconnect';
import { EmbeddedDynamoDb } from '../../../src/local/services/embedded-dynamodb';
import { readStackTemplate } from '../../../src/local/template/read-stack-template';
import { ensureStageKeyPair } from '../../../src/tooling/stage-keys';
import { copyRunKeys, synthesizeOncePerRun } from '../../helpers/shared-synthesis';
import { disconnectEvent, messageEvent } from '../../unit/helpers/events';
import { silentLogger } from '../../unit/helpers/logs';
import { testMetrics } from '../../unit/helpers/metrics';
import { createTestKeys, type TestKeys } from '../../unit/helpers/tokens';

type TokenKind = 'valid-owner' | 'valid-other' | 'invalid' | 'not-a-string';
const OWNER = 'owner';
const OTHER = 'intruder';

describe('Function: handleAuthorize racing handleDisconnect (fast-check scheduler, dynalite)', () => {
  let home: string;
  let dynamodb: EmbeddedDynamoDb;
  let client: DynamoDBClient;
  let tableName: string;
  let keys: TestKeys;
  const tokens = new Map<TokenKind, unknown>();
  let runs = 0;
  const interleavings = new Set<string>();

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-race-'));
    process.env.WS_NOTIFY_KEYS_DIR = home;
    const stage = getStage('dev');
    // The run's keys, so that the template is the run's synthesis of the stage (no CDK loaded here).
    copyRunKeys(home);
    await ensureStageKeyPair(stage.name);
    const { stackName, template } = synthesizeOncePerRun({ stage });
    const model = readStackTemplate(template, { stackName });
    dynamodb = await EmbeddedDynamoDb.start({ tables: Object.values(model.tables), namePrefix: `${stackName}-` });
    tableName = Object.values(dynamodb.tables)[0]!.tableName;
    client = new DynamoDBClient(dynamodb.clientConfig);
    keys = await createTestKeys();
    tokens.set('valid-owner', await keys.sign({ sub: OWNER }));
    tokens.set('valid-other', await keys.sign({ sub: OTHER }));
    tokens.set('invalid', `${await keys.sign({ sub: OWNER })}x`);
    tokens.set('not-a-string', 42);
  }, 60_000);

  afterAll(async () => {
    client.destroy();
    await dynamodb.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('never leaves a record once $disconnect has run, and never authorizes two users', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.constantFrom<'pending' | 'authorized'>('pending', 'authorized'),
        fc.array(fc.constantFrom<TokenKind>('valid-owner', 'valid-other', 'invalid', 'not-a-string'), { minLength: 1, maxLength: 3 }),
        async (s, initial, messages) => {
          // Prepare: the connection's record as $connect wrote it, then a store whose every call waits for the scheduler.
          const connectionId = `race-${++runs}=`;
          const now = Date.now();
          const direct = new ConnectionStore({ client, tableName });
          await direct.put(
            initial === 'pending'
              ? newPendingConnection({ connectionId, connectedAt: now })
              : newAuthorizedConnection({ connectionId, connectedAt: now, authorizedAt: now, userId: OWNER, expiresAt: Math.floor(now / 1000) + 3600, authMode: 'action' }),
          );
          let reachDynamoDb: Promise<unknown> = Promise.resolve();
          const order: string[] = [];
          const scheduledClient = {
            send: (command: { constructor: { name: string } }) =>
              s.schedule(Promise.resolve(), command.constructor.name).then(() => {
                order.push(command.constructor.name.replace('Command', ''));
                const sent = reachDynamoDb.then(() => client.send(command as Parameters<DynamoDBClient['send']>[0]));
                reachDynamoDb = sent.catch(() => undefined);
                return sent;
              }),
          } as unknown as DynamoDBClient;
          const connections = new ConnectionStore({ client: scheduledClient, tableName });
          const management = { send: () => Promise.resolve({}) } as unknown as ApiGatewayManagementApiClient;
          // The recent-connection pointer goes to a stand-in inbox: this test is about the connection record.
          const inbox = new InboxStore({ client: { send: () => Promise.resolve({}) } as unknown as DynamoDBClient, tableName: 'Inbox' });
          const deps = { connections, inbox, gateway: new GatewayClient({ client: management }), verifier: keys.verifier, logger: silentLogger() };

          // Act: everything at once; the scheduler releases one DynamoDB call at a time.
          const all = Promise.all([
            Promise.all(
              messages.map((kind) =>
                handleAuthorize(messageEvent(JSON.stringify({ action: 'authorize', token: tokens.get(kind) }), { routeKey: 'authorize', connectionId }), deps),
              ),
            ),
            handleDisconnect(disconnectEvent(connectionId), { connections, logger: silentLogger(), metrics: testMetrics() }),
          ]);
          let settled = false;
          void all.finally(() => (settled = true));
          while (!settled) {
            if (s.count() > 0) await s.waitNext(1);
            else await new Promise((resolve) => setImmediate(resolve));
          }
          const [replies, disconnected] = await all;
          interleavings.add(`${initial}:${messages.join(',')}:${order.join('>')}`);

          // Assess
          expect(disconnected.statusCode).toBe(200);
          const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { connectionId: { S: connectionId } }, ConsistentRead: true }));
          expect(Item).toBeUndefined();
          const frames = replies.map((reply) => (reply.body === undefined ? undefined : (JSON.parse(reply.body) as Record<string, unknown>)));
          const authorizedUsers = new Set(frames.filter((frame) => frame?.type === 'authorized').map((frame) => frame?.userId));
          expect(authorizedUsers.size).toBeLessThanOrEqual(1);
          if (initial === 'authorized') expect([...authorizedUsers].every((userId) => userId === OWNER)).toBe(true);
          for (const frame of frames) {
            if (frame === undefined) continue; // too_many_attempts went through the Management API
            expect(['authorized', 'error']).toContain(frame.type);
            if (frame.type === 'error') expect(['unauthorized', 'invalid_token', 'bad_request']).toContain(frame.code);
          }
        },
      ),
      { numRuns: 150 },
    );
    // The scheduler really explored different orders of the calls.
    expect(interleavings.size).toBeGreaterThan(50);
  }, 60_000);
});
