import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { GatewayWarning, ManagementApiEvent } from '../../../src/local/gateway';
import { GatewayHarness, type GatewayWithClient, type HarnessOptions } from '../../fixtures/gateway/gateway-harness';
import { eventually } from '../../helpers/eventually';

const harness = new GatewayHarness();
afterEach(() => harness.cleanup());

async function startWithClient(options: HarnessOptions = {}): Promise<GatewayWithClient & { api: ApiGatewayManagementApiClient }> {
  const started = await harness.startWithClient(options, { headers: { 'User-Agent': 'notify-test/1.0' } });
  return { ...started, api: harness.managementClient(started.managementApiUrl) };
}

const Data = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('Class: WebSocketGateway (Management API)', () => {
  describe('PostToConnection', () => {
    it('delivers the data to the client as a text frame', async () => {
      const { api, client, connectionId } = await startWithClient();

      const output = await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('{"type":"notification","id":"1","data":{}}') }));

      expect(output.$metadata.httpStatusCode).toBe(200);
      expect(await client.next()).toBe('{"type":"notification","id":"1","data":{}}');
    });

    it('delivers bytes that are not UTF-8 as a binary frame', async () => {
      const { api, client, connectionId } = await startWithClient();
      const binary = new Promise<boolean>((resolve) => client.socket.once('message', (_data, isBinary: boolean) => resolve(isBinary)));

      await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new Uint8Array([0xff, 0x00, 0xfe]) }));

      expect(await binary).toBe(true);
    });

    it('accepts exactly 128 KB and refuses more with 413 PayloadTooLargeException', async () => {
      // Prepare
      const { api, client, connectionId } = await startWithClient();

      // Act
      await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('a'.repeat(131_072)) }));
      const tooLarge = api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('a'.repeat(131_073)) }));

      // Assess
      expect((await client.next()).length).toBe(131_072);
      await expect(tooLarge).rejects.toBeInstanceOf(PayloadTooLargeException);
      await expect(tooLarge).rejects.toMatchObject({ $metadata: { httpStatusCode: 413 } });
      expect(client.pending).toEqual([]);
    });

    it('refuses a post during $connect with GoneException: the connection is not established yet', async () => {
      // Prepare
      let statusDuringConnect = 0;
      const { url, managementApiUrl } = await harness.start({
        functions: {
          Connect: async (event) => {
            const response = await fetch(`${managementApiUrl}/@connections/${encodeURIComponent(event.requestContext.connectionId)}`, { method: 'POST', body: 'hi' });
            statusDuringConnect = response.status;
            return { statusCode: 200 };
          },
        },
      });

      // Act
      await harness.connect(url);

      // Assess
      expect(statusDuringConnect).toBe(410);
    });
  });

  describe('GetConnection', () => {
    it('returns ConnectedAt, LastActiveAt and Identity (SourceIp, UserAgent)', async () => {
      // Prepare
      const { api, client, connectionId, invoker } = await startWithClient();
      const connectedAt = invoker.eventsOf('Connect')[0]!.requestContext.connectedAt as number;
      const before = await api.send(new GetConnectionCommand({ ConnectionId: connectionId }));

      // Act
      await eventually('the clock to move past the last activity', () => (Date.now() > before.LastActiveAt!.getTime() ? true : undefined));
      await client.request('{"action":"ping"}');
      const after = await api.send(new GetConnectionCommand({ ConnectionId: connectionId }));

      // Assess
      expect(before.ConnectedAt).toEqual(new Date(connectedAt));
      expect(before.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'notify-test/1.0' });
      expect(before.LastActiveAt!.getTime()).toBeGreaterThanOrEqual(connectedAt);
      expect(after.LastActiveAt!.getTime()).toBeGreaterThan(before.LastActiveAt!.getTime());
      expect(after.ConnectedAt).toEqual(before.ConnectedAt);
    });
  });

  describe('DeleteConnection', () => {
    it('closes the client with 1000, runs $disconnect and answers 204', async () => {
      // Prepare
      const { api, client, connectionId, invoker, gateway } = await startWithClient();
      const causes: string[] = [];
      gateway.on('disconnect', (event) => causes.push(event.cause));

      // Act
      const output = await api.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      const closed = await client.closed;

      // Assess
      expect(output.$metadata.httpStatusCode).toBe(204);
      expect(closed.code).toBe(1000);
      const disconnect = await invoker.waitForCall('Disconnect');
      expect(disconnect.requestContext).toMatchObject({ connectionId, disconnectStatusCode: 1000, disconnectReason: '' });
      expect(causes).toEqual(['management-api']);
      await expect(api.send(new GetConnectionCommand({ ConnectionId: connectionId }))).rejects.toBeInstanceOf(GoneException);
    });
  });

  describe('gone connections', () => {
    it.each([
      ['PostToConnection', (id: string) => new PostToConnectionCommand({ ConnectionId: id, Data: Data('x') })],
      ['GetConnection', (id: string) => new GetConnectionCommand({ ConnectionId: id })],
      ['DeleteConnection', (id: string) => new DeleteConnectionCommand({ ConnectionId: id })],
    ] as const)('answers %s on an unknown id with 410 GoneException', async (_name, command) => {
      const { api } = await startWithClient();

      const sent = api.send(command('AAAAAAAAAAAAAAA=') as PostToConnectionCommand);

      await expect(sent).rejects.toBeInstanceOf(GoneException);
      await expect(sent).rejects.toMatchObject({ name: 'GoneException', $metadata: { httpStatusCode: 410 } });
    });

    it('answers 410 GoneException for a connection the client has closed', async () => {
      const { api, client, connectionId, invoker } = await startWithClient();

      await client.close(1000);
      await invoker.waitForCall('Disconnect');

      await expect(api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('late') }))).rejects.toBeInstanceOf(GoneException);
    });

    it('answers with the error shape API Gateway uses (x-amzn-ErrorType, empty body)', async () => {
      const { managementApiUrl } = await startWithClient();

      const response = await fetch(`${managementApiUrl}/@connections/nope`, { method: 'POST', body: 'x' });

      expect(response.status).toBe(410);
      expect(response.headers.get('x-amzn-errortype')).toBe('GoneException');
      expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(await response.text()).toBe('');
    });
  });

  describe('observers and other HTTP requests', () => {
    it('reports every Management API call', async () => {
      const { api, connectionId, gateway } = await startWithClient();
      const events: ManagementApiEvent[] = [];
      gateway.on('management', (event) => events.push(event));

      await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('x') }));
      await api.send(new GetConnectionCommand({ ConnectionId: 'gone=' })).catch(() => undefined);

      expect(events).toEqual([
        expect.objectContaining({ method: 'POST', connectionId, status: 200 }),
        expect.objectContaining({ method: 'GET', connectionId: 'gone=', status: 410 }),
      ]);
    });

    it('answers other HTTP requests, and methods other than POST, GET and DELETE, with 403 when there is no fallback handler', async () => {
      const { managementApiUrl, connectionId } = await startWithClient();
      const origin = new URL(managementApiUrl).origin;
      const put = fetch(`${managementApiUrl}/@connections/${encodeURIComponent(connectionId)}`, { method: 'PUT', body: '"x"' });

      const responses = await Promise.all([fetch(`${origin}/`), fetch(`${managementApiUrl}`), fetch(`${origin}/other/@connections/x`), put]);

      expect(responses.map((response) => response.status)).toEqual([403, 403, 403, 403]);
    });

    it('serves other HTTP requests with the fallback handler, on the same port', async () => {
      const { managementApiUrl } = await startWithClient({
        httpFallback: (req, res) => {
          res.writeHead(200, { 'Content-Type': 'text/html' });
          res.end(`<h1>console ${req.url}</h1>`);
        },
      });

      const response = await fetch(`${new URL(managementApiUrl).origin}/index.html`);

      expect(response.status).toBe(200);
      expect(await response.text()).toBe('<h1>console /index.html</h1>');
    });

    it('answers 500 and warns when the fallback handler throws', async () => {
      const { managementApiUrl, gateway } = await startWithClient({
        httpFallback: () => {
          throw new Error('console bug');
        },
      });
      const warnings: GatewayWarning[] = [];
      gateway.on('warning', (warning) => warnings.push(warning));

      const response = await fetch(`${new URL(managementApiUrl).origin}/`);

      expect(response.status).toBe(500);
      expect(warnings).toEqual([expect.objectContaining({ code: 'http_fallback_failed', cause: new Error('console bug') })]);
    });
  });
});
