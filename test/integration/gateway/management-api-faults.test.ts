/**
 * Fault injection into the Management API, seen through the unmodified ApiGatewayManagementApiClient:
 * faulted calls get API Gateway's 429 / 500 answers, have no effect, and the SDK retries them; hung
 * calls are never answered (the functions' client gives up at its request timeout) or answered late.
 */
import {
  ApiGatewayManagementApiClient,
  ApiGatewayManagementApiServiceException,
  DeleteConnectionCommand,
  GetConnectionCommand,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { SDK_CLIENT_CONFIG } from '../../../src/commons/clients/sdk-client-config';
import { WebSocketGateway, type ManagementApiEvent } from '../../../src/local/gateway';
import { requestObserver, type ServiceRequestEvent } from '../../../src/local/services/request-interceptors';
import { GatewayHarness } from '../../fixtures/gateway/gateway-harness';
import { TestFunctionInvoker } from '../../fixtures/gateway/test-function-invoker';

const harness = new GatewayHarness();
afterEach(() => harness.cleanup());

/** A random source that returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length] ?? 0;
}

const Data = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('Class: WebSocketGateway (Management API faults)', () => {
  describe('Option: faults', () => {
    it('answers a throttled PostToConnection with 429 LimitExceededException and sends nothing', async () => {
      // Prepare
      const { gateway, managementApiUrl, client, connectionId } = await harness.startWithClient({ faults: { rate: 1, kinds: ['throttle'] } });
      const api = harness.managementClient(managementApiUrl, 1);

      // Act
      const post = api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('"hello"') }));

      // Assess
      await expect(post).rejects.toBeInstanceOf(LimitExceededException);
      await expect(post).rejects.toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } });
      expect(gateway.faults.counts()).toMatchObject({ requests: 1, injected: 1, byKind: { throttle: 1, server: 0 }, byOperation: { PostToConnection: 1 } });
      // Frames of one connection arrive in order: a marker posted once the faults are off comes first.
      gateway.faults.set(undefined);
      await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('"marker"') }));
      expect(await client.next()).toBe('"marker"');
    });

    it('answers a server fault with 500 InternalServerErrorException, which the SDK retries up to maxAttempts', async () => {
      // Prepare
      const { gateway, managementApiUrl, client, connectionId } = await harness.startWithClient({ faults: { rate: 1, kinds: ['server'] } });
      const api = harness.managementClient(managementApiUrl, 2);

      // Act
      const post = api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('"hello"') }));

      // Assess
      await expect(post).rejects.toBeInstanceOf(ApiGatewayManagementApiServiceException);
      await expect(post).rejects.toMatchObject({
        name: 'InternalServerErrorException',
        message: 'Internal server error',
        $fault: 'server',
        $metadata: { httpStatusCode: 500, attempts: 2 },
      });
      expect(client.pending).toEqual([]);
      expect(gateway.faults.counts()).toMatchObject({ requests: 2, injected: 2, byKind: { throttle: 0, server: 2 } });
    });

    it('leaves the connection open when DeleteConnection is faulted, and GetConnection is faulted the same way', async () => {
      // Prepare
      const { gateway, managementApiUrl, client, connectionId, invoker } = await harness.startWithClient({ faults: { rate: 1, kinds: ['throttle'] } });
      const api = harness.managementClient(managementApiUrl, 1);

      // Act
      const deletion = api.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      const get = api.send(new GetConnectionCommand({ ConnectionId: connectionId }));

      // Assess
      await expect(deletion).rejects.toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } });
      await expect(get).rejects.toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } });
      // The connection is still there: once the faults are off, a frame posted to it arrives.
      gateway.faults.set(undefined);
      await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('"still open"') }));
      expect(await client.next()).toBe('"still open"');
      expect(client.socket.readyState).toBe(client.socket.OPEN);
      expect(invoker.eventsOf('Disconnect')).toEqual([]);
    });

    it('lets the SDK retry a faulted call to success: the frame arrives exactly once', async () => {
      // Prepare: the first call is faulted (draw 0 < 0.5, kind draw 0.9 → server), the retry is not (0.99).
      const { gateway, managementApiUrl, client, connectionId } = await harness.startWithClient({ faults: { rate: 0.5, random: sequence(0, 0.9, 0.99) } });
      const statuses: number[] = [];
      gateway.on('management', (event: ManagementApiEvent) => statuses.push(event.status));
      const api = harness.managementClient(managementApiUrl);

      // Act
      const output = await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('"once"') }));

      // Assess
      expect(output.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 2 });
      expect(statuses).toEqual([500, 200]);
      expect(await client.next()).toBe('"once"');
      // Frames of one connection arrive in order: a marker posted once the faults are off comes next.
      gateway.faults.set(undefined);
      await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('"marker"') }));
      expect(await client.next()).toBe('"marker"');
    });
  });

  describe('Option: faults, kind hang', () => {
    it("accepts a hung PostToConnection and never answers it: nothing is sent, and the functions' client gives up at its request timeout", async () => {
      // Prepare
      const { gateway, managementApiUrl, client, connectionId } = await harness.startWithClient({ faults: { rate: 1, kinds: ['hang'] } });
      const ended = new Promise<ServiceRequestEvent>((resolve) => gateway.interceptors.add(requestObserver(resolve)));
      const api = new ApiGatewayManagementApiClient({
        ...SDK_CLIENT_CONFIG,
        endpoint: managementApiUrl,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });

      // Act
      const post = await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('"hello"') })).then(
        () => undefined,
        (error: unknown) => error,
      );
      const end = await ended;
      api.destroy();

      // Assess: the call ended when the client went away (status 0), unanswered and without effect.
      expect(post).toMatchObject({ name: 'TimeoutError' });
      expect(end).toMatchObject({ service: 'management', operation: 'PostToConnection', status: 0 });
      expect(client.pending).toEqual([]);
      expect(gateway.faults.counts()).toMatchObject({ requests: 1, injected: 1, byKind: { throttle: 0, server: 0, hang: 1 } });
    });

    it('carries out a call held for hangMs and answers it then, while the caller waits', async () => {
      // Prepare
      const { gateway, managementApiUrl, client, connectionId } = await harness.startWithClient({});
      // Told of the call's arrival before the fault holds it (interceptors run in the order they were added).
      const arrived = new Promise<void>((resolve) => gateway.interceptors.add({ before: () => (resolve(), undefined) }));
      gateway.faults.set({ rate: 1, kinds: ['hang'], hangMs: 1_000 });
      const api = harness.managementClient(managementApiUrl, 1);

      // Act: a ping's round trip while the post is held.
      const post = api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data('"late"') }));
      await arrived;
      const whileHeld = JSON.parse(await client.request(JSON.stringify({ action: 'ping' }))) as unknown;
      const output = await post;

      // Assess
      expect(whileHeld).toEqual({ type: 'pong', connectionId });
      expect(output.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1 });
      expect(await client.next()).toBe('"late"');
    });
  });

  describe('Property: faults', () => {
    it('starts, changes and stops fault injection on a running gateway, keeping the counts', async () => {
      // Prepare
      const { gateway, managementApiUrl, client, connectionId } = await harness.startWithClient({});
      const api = harness.managementClient(managementApiUrl, 1);
      const post = (text: string) => api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Data(text) }));

      // Act & Assess
      await post('"before"');
      expect(await client.next()).toBe('"before"');

      gateway.faults.set({ rate: 1, kinds: ['throttle'] });
      await expect(post('"during"')).rejects.toMatchObject({ $metadata: { httpStatusCode: 429 } });

      gateway.faults.set(undefined);
      await post('"after"');
      expect(await client.next()).toBe('"after"');
      expect(client.pending).toEqual([]);
      expect(gateway.faults.counts()).toMatchObject({ requests: 1, injected: 1 });
    });

    it('refuses invalid fault options at construction and in faults.set with a TypeError', async () => {
      // Prepare
      const { gateway } = await harness.start({});
      const construct = () => new WebSocketGateway({ stage: 'local', routes: [], invoker: new TestFunctionInvoker(), faults: { rate: 2 } });

      // Act & Assess
      expect(construct).toThrow(TypeError);
      expect(() => gateway.faults.set({ rate: Number.NaN })).toThrow('faults.rate must be a number from 0 to 1, got NaN');
    });
  });
});
