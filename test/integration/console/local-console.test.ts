/**
 * The local console against the real local stack, in both modes: its Server-Sent Events stream
 * (connection table from the gateway and the DynamoDB records, queue depths through the SQS
 * client, the event feed), its token and report-ready endpoints with real `ws` clients, the
 * refusals of the token endpoint, and that no token ever appears in the stream or its log.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { getStage } from '../../../infra/stages';
import type { ConnectionsUpdate, ConsoleSnapshot, FeedEvent, QueuesUpdate, TokenResponse } from '../../../src/console/console-api';
import { LocalConsole } from '../../../src/local/console/local-console';
import { frame, startTestStack, type TestStack } from '../../helpers/local-stack';
import { connectClient, type TestClient } from '../../helpers/ws-client';
import { EventStreamReader, httpRequest, pageHeaders, postJson } from './console-http';

const JWT_SHAPE = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

interface ConsoleUnderTest {
  readonly t: TestStack;
  readonly localConsole: LocalConsole;
  readonly url: string;
  readonly logs: string[];
}

async function startConsoleStack(authMode: 'authorizer' | 'action'): Promise<ConsoleUnderTest> {
  const logs: string[] = [];
  const localConsole = new LocalConsole({ onLog: (message) => logs.push(message), refreshIntervalMs: 250 });
  const t = await startTestStack({ stage: 'local', authMode, httpFallback: localConsole.handler });
  await localConsole.attach(t.stack);
  const url = t.stack.endpoints.consoleUrl;
  if (url === undefined) throw new Error('the stack has no consoleUrl');
  return { t, localConsole, url, logs };
}

async function issueToken(consoleUrl: string, userId: string): Promise<string> {
  const response = await postJson(`${consoleUrl}api/token`, { userId }, pageHeaders(consoleUrl));
  expect(response.status).toBe(200);
  return (JSON.parse(response.body) as TokenResponse).token;
}

/** Connects as the user the way the console's demo client does, with a token from the console. */
async function connectWithConsoleToken(c: ConsoleUnderTest, userId: string, tokens: string[]): Promise<{ client: TestClient; connectionId: string }> {
  const token = await issueToken(c.url, userId);
  tokens.push(token);
  const { websocketUrl } = c.t.stack.endpoints;
  if (c.t.stack.stage.authMode === 'authorizer') {
    const client = await connectClient(`${websocketUrl}?token=${token}`);
    const pong = frame(await client.request(JSON.stringify({ action: 'ping' })));
    return { client, connectionId: String(pong.connectionId) };
  }
  const client = await connectClient(websocketUrl);
  const reply = frame(await client.request(JSON.stringify({ action: 'authorize', token })));
  expect(reply.type).toBe('authorized');
  return { client, connectionId: String(reply.connectionId) };
}

const hasRow = (connectionId: string, state: string, userId: string) => (update: ConnectionsUpdate) =>
  update.connections.some((row) => row.connectionId === connectionId && row.state === state && row.userId === userId);

describe.each(['authorizer', 'action'] as const)('Class: LocalConsole (mode %s)', (authMode) => {
  let c: ConsoleUnderTest;
  let stream: EventStreamReader;
  const tokens: string[] = [];

  beforeAll(async () => {
    c = await startConsoleStack(authMode);
    stream = await EventStreamReader.open(`${c.url}api/events`);
  });

  afterAll(async () => {
    stream.close();
    await c.localConsole.close();
    await c.t.close();
  });

  describe('Method: handler (GET /api/events)', () => {
    it('starts the stream with a snapshot: the stage, every queue followed by its DLQ, an empty table', async () => {
      const snapshot = await stream.waitFor<ConsoleSnapshot>('snapshot');

      expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(snapshot.info).toEqual({
        stage: 'local',
        authMode,
        websocketUrl: c.t.stack.endpoints.websocketUrl,
        tokens: true,
        tokenTtlSeconds: 3600,
        limits: { maxConnectionSeconds: 7200, idleTimeoutSeconds: 600 },
      });
      expect(snapshot.queues.queues.map((queue) => [queue.name, queue.deadLetterOf ?? null])).toEqual([
        ['NotifyUser', null],
        ['NotifyUserDeadLetter', 'NotifyUser'],
        ['NotifyConnection', null],
        ['NotifyConnectionDeadLetter', 'NotifyConnection'],
        ['AuthorizeDeadline', null],
        ['AuthorizeDeadlineDeadLetter', 'AuthorizeDeadline'],
      ]);
      expect(snapshot.connections).toEqual([]);
    });

    it('pushes the table and the events as clients connect, one is notified, and it leaves', async () => {
      const alice = await connectWithConsoleToken(c, 'alice', tokens);
      const bob = await connectWithConsoleToken(c, 'bob', tokens);

      const both = await stream.waitFor<ConnectionsUpdate>('connections', (update) =>
        hasRow(alice.connectionId, 'authorized', 'alice')(update) && hasRow(bob.connectionId, 'authorized', 'bob')(update),
      );
      const aliceRow = both.connections.find((row) => row.connectionId === alice.connectionId);
      expect(aliceRow).toMatchObject({ authMode, sourceIp: '127.0.0.1' });
      expect(aliceRow?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 3500);
      expect(aliceRow?.lastActiveAt).toBeGreaterThanOrEqual(aliceRow?.connectedAt ?? Infinity);
      await stream.waitFor<FeedEvent>('feed', (event) => event.kind === 'handshake' && event.text.startsWith(`handshake ${alice.connectionId} → 101 connected (`));
      await stream.waitFor<FeedEvent>('feed', (event) =>
        event.kind === 'route' && event.text.startsWith(authMode === 'authorizer' ? `ping on ${alice.connectionId} → pong (` : `authorize on ${alice.connectionId} → authorized (`),
      );

      const sent = await postJson(`${c.url}api/report-ready`, { userId: 'alice' }, pageHeaders(c.url));

      expect(sent.status).toBe(200);
      const { download, messageId } = JSON.parse(sent.body) as { download: string; messageId: string };
      expect(download).toMatch(/^\/reports\/\d+$/);
      // Bounds a hang only: the notification crosses two queues, seconds on a busy 2-core machine.
      expect(frame(await alice.client.next(15_000))).toEqual({ type: 'notification', id: messageId, seq: 1, data: { download } });
      await stream.waitFor<FeedEvent>('feed', (event) => event.kind === 'delivery' && event.connectionId === alice.connectionId);
      await stream.waitFor<FeedEvent>('feed', (event) => event.kind === 'batch' && event.text.startsWith('NotifyUser → NotifyUser: 1 message, success'));
      await stream.waitFor<FeedEvent>('feed', (event) => event.kind === 'notification' && event.text === `NotifyUser: notification ${messageId} for alice (seq 1) stored, 1 connection`);
      expect(stream.events.some((event) => event.event === 'feed' && (event.data as FeedEvent).kind === 'delivery' && (event.data as FeedEvent).connectionId === bob.connectionId)).toBe(false);
      expect(bob.client.pending).toEqual([]);

      await alice.client.close(1000, 'bye');

      await stream.waitFor<ConnectionsUpdate>('connections', (update) =>
        !update.connections.some((row) => row.connectionId === alice.connectionId) && hasRow(bob.connectionId, 'authorized', 'bob')(update),
      );
      await stream.waitFor<FeedEvent>('feed', (event) => event.text.startsWith(`disconnect ${alice.connectionId}: 1000 "bye", client, after `));
      await bob.client.close();
    });

    it('says "stored, 0 connections" of a notification for a user without a connection', async () => {
      const sent = await c.t.sqs.send(new SendMessageCommand({ QueueUrl: c.t.stack.endpoints.queues.NotifyUser, MessageBody: JSON.stringify({ userId: 'nobody-here', data: 1, id: 'for-nobody' }) }));

      const event = await stream.waitFor<FeedEvent>('feed', (item) => item.kind === 'notification' && item.text.includes('notification for-nobody for nobody-here'));

      expect(sent.MessageId).toBeDefined();
      expect(event).toMatchObject({ level: 'info', text: 'NotifyUser: notification for-nobody for nobody-here (seq 1) stored, 0 connections: it waits in the inbox for a resume' });
    });

    it('pushes the depth of a DLQ when a poison message lands in it', async () => {
      await c.t.sqs.send(new SendMessageCommand({ QueueUrl: c.t.stack.endpoints.queues.NotifyUser, MessageBody: 'not json' }));

      const update = await stream.waitFor<QueuesUpdate>('queues', (queues) => queues.queues.some((queue) => queue.name === 'NotifyUserDeadLetter' && queue.visible === 1));

      expect(update.error).toBeUndefined();
    });

    if (authMode === 'authorizer') {
      it('shows a handshake without a token as refused with 401', async () => {
        const refused = await c.t.refused();

        const event = await stream.waitFor<FeedEvent>('feed', (item) => item.kind === 'handshake' && / → 401 missing-identity /.test(item.text));

        expect(refused.status).toBe(401);
        expect(event.level).toBe('warn');
      });
    } else {
      it('shows a connection that has not authorized yet as pending', async () => {
      const client = await c.t.connect();
      const reply = frame(await client.request(JSON.stringify({ action: 'ping' })));
      expect(reply).toMatchObject({ type: 'error', code: 'unauthorized' });
      // The feed shows the frame the ping got, not the function's "ok".
      const refused = await stream.waitFor<FeedEvent>('feed', (event) => event.kind === 'route' && /^ping on \S+ → error unauthorized \(/.test(event.text));
      expect(refused.level).toBe('warn');

      const update = await stream.waitFor<ConnectionsUpdate>('connections', (rows) => rows.connections.some((row) => row.state === 'pending'));

      expect(update.connections.find((row) => row.state === 'pending')).toMatchObject({ authMode: 'action' });
      expect(update.connections.find((row) => row.state === 'pending')?.userId).toBeUndefined();
      await client.close();
      });
    }

    it('never puts a token in the stream, the snapshot of a new page, the page or the console log', async () => {
      expect(tokens.length).toBeGreaterThanOrEqual(2);
      const late = await EventStreamReader.open(`${c.url}api/events`);
      await late.waitFor<ConsoleSnapshot>('snapshot');
      late.close();
      const page = await httpRequest(c.url);
      const texts = [stream.raw, late.raw, page.body, JSON.stringify(c.logs)];

      for (const text of texts) {
        for (const token of tokens) expect(text).not.toContain(token);
        expect(text).not.toMatch(JWT_SHAPE);
      }
      expect(stream.raw).toContain('token issued for a demo client');
    });
  });
});

describe('Class: LocalConsole (requests it refuses)', () => {
  let c: ConsoleUnderTest;

  beforeAll(async () => {
    c = await startConsoleStack('authorizer');
  });

  afterAll(async () => {
    await c.localConsole.close();
    await c.t.close();
  });

  const tokenUrl = () => `${c.url}api/token`;

  it.each([
    ['a page on another origin', { Origin: 'https://attacker.example' }, 403, 'cross_origin'],
    ['a request the browser marks cross-site', { Origin: undefined, 'Sec-Fetch-Site': 'cross-site' }, 403, 'cross_origin'],
    ['a request without the console header', { 'x-ws-notify-console': undefined }, 403, 'missing_console_header'],
    ['a form post (text/plain)', { 'Content-Type': 'text/plain' }, 415, 'unsupported_media_type'],
    ['a DNS-rebinding page (another Host)', { Host: 'attacker.example', Origin: 'http://attacker.example' }, 403, 'bad_host'],
  ])('POST /api/token refuses %s without issuing a token', async (_name, changes, status, code) => {
    const headers: Record<string, string> = { ...pageHeaders(c.url) };
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) delete headers[name];
      else headers[name] = value;
    }

    const response = await postJson(tokenUrl(), { userId: 'mallory' }, headers);

    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toMatchObject({ error: code });
    expect(response.body).not.toMatch(/eyJ/);
  });

  it('POST /api/report-ready refuses a page on another origin and sends nothing', async () => {
    const response = await postJson(`${c.url}api/report-ready`, { userId: 'mallory' }, { ...pageHeaders(c.url), Origin: 'https://attacker.example' });

    expect(response.status).toBe(403);
    expect(await c.t.queueDepth('NotifyUser')).toBe(0);
  });

  it('answers 400 to a user id that is empty or longer than 128 characters', async () => {
    const empty = await postJson(tokenUrl(), { userId: '' }, pageHeaders(c.url));
    const long = await postJson(tokenUrl(), { userId: 'x'.repeat(129) }, pageHeaders(c.url));
    const longest = await postJson(tokenUrl(), { userId: 'x'.repeat(128) }, pageHeaders(c.url));

    expect([empty.status, long.status, longest.status]).toEqual([400, 400, 200]);
    expect(JSON.parse(long.body)).toEqual({ error: 'bad_request', message: 'userId must be a string of 1 to 128 characters' });
  });

  it('answers 413 to a body over 4 KB', async () => {
    const response = await postJson(tokenUrl(), { userId: 'a', padding: 'x'.repeat(5000) }, pageHeaders(c.url));

    expect(response.status).toBe(413);
  });

  it('refuses to issue tokens for a stage whose keys come from an identity provider', async () => {
    // The same running stack seen as a stage whose tokens come from a JWKS endpoint.
    const stage = { ...c.t.stack.stage, jwt: { ...c.t.stack.stage.jwt, keySource: { kind: 'jwks' as const, jwksUrl: 'https://idp.example.com/.well-known/jwks.json' } } };
    const jwksConsole = new LocalConsole();
    const server: Server = createServer(jwksConsole.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await jwksConsole.attach({ ...c.t.stack, stage });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

      const info = JSON.parse((await httpRequest(`${url}api/info`)).body) as { tokens: boolean };
      const response = await postJson(`${url}api/token`, { userId: 'alice' }, pageHeaders(url));

      expect(info.tokens).toBe(false);
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'external_identity_provider' });
    } finally {
      await jwksConsole.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses to issue tokens for prod, whose key is generated too, and makes no prod key', async () => {
    // The same running stack seen as stage prod (a generated key, not marked for console tokens).
    const prodConsole = new LocalConsole();
    const server: Server = createServer(prodConsole.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await prodConsole.attach({ ...c.t.stack, stage: getStage('prod') });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

      const info = JSON.parse((await httpRequest(`${url}api/info`)).body) as { tokens: boolean };
      const response = await postJson(`${url}api/token`, { userId: 'alice' }, pageHeaders(url));

      expect(info.tokens).toBe(false);
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'console_tokens_disabled' });
      expect(response.body).not.toMatch(JWT_SHAPE);
      expect(existsSync(path.join(c.t.cliEnv.WS_NOTIFY_KEYS_DIR ?? '', 'prod.private.jwk.json'))).toBe(false);
    } finally {
      await prodConsole.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers 404 elsewhere, 405 to other methods, and serves the page with its security headers', async () => {
    const missing = await httpRequest(`${c.url}nothing-here`);
    const put = await httpRequest(`${c.url}api/token`, { method: 'PUT' });
    const page = await httpRequest(c.url);
    const download = await httpRequest(`${c.url}ws-notify-console.html`);
    const report = await httpRequest(`${c.url}reports/7`);

    expect(missing.status).toBe(404);
    expect(put.status).toBe(405);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(download.headers['content-disposition']).toBe('attachment; filename="ws-notify-console.html"');
    expect(download.body).toBe(page.body);
    expect(report).toMatchObject({ status: 200 });
    expect(report.body).toContain('Report 7');
  });

  it('keeps the WebSocket stage and the Management API on the same port', async () => {
    const refused = await c.t.refused();
    const gone = await httpRequest(`${c.t.stack.endpoints.managementApiUrl}/@connections/AAAAAAAAAAAAAAA%3D`);

    expect(refused.status).toBe(401);
    expect(gone.status).toBe(410);
  });
});

describe('Method: close', () => {
  it('ends every open stream and answers 503 afterwards', async () => {
    const c = await startConsoleStack('authorizer');
    try {
      const stream = await EventStreamReader.open(`${c.url}api/events`);
      await stream.waitFor('snapshot');

      await c.localConsole.close();

      await stream.ended();
      expect((await httpRequest(`${c.url}api/events`)).status).toBe(503);
      await c.localConsole.close();
    } finally {
      await c.t.close();
    }
  });
});
