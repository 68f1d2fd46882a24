/**
 * The Management API (`@connections`) of the local stack through the unmodified
 * ApiGatewayManagementApiClient.
 */
import {
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { eventually, frame, startTestStack, type TestStack } from '../../helpers/local-stack';

describe('Local stack: Management API', () => {
  let t: TestStack;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('GET returns connectedAt, lastActiveAt and the identity', async () => {
    const { client, connectionId } = await t.connectAs('u-get');

    const output = await t.management.send(new GetConnectionCommand({ ConnectionId: connectionId }));

    expect(output.ConnectedAt).toBeInstanceOf(Date);
    expect(output.LastActiveAt).toBeInstanceOf(Date);
    expect(output.LastActiveAt!.getTime()).toBeGreaterThanOrEqual(output.ConnectedAt!.getTime());
    expect(output.Identity).toMatchObject({ SourceIp: '127.0.0.1' });
    await client.close();
  });

  it('POST delivers the data to the client as one frame', async () => {
    const { client, connectionId } = await t.connectAs('u-post');

    await t.management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('{"type":"notification","id":"x","data":1}') }));

    expect(frame(await client.next())).toEqual({ type: 'notification', id: 'x', data: 1 });
    await client.close();
  });

  it('DELETE closes the client with 1000, runs $disconnect and the record is gone', async () => {
    const { client, connectionId } = await t.connectAs('u-delete');
    expect(await t.record(connectionId)).toBeDefined();

    await t.management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    const closed = await client.closed;

    expect(closed.code).toBe(1000);
    await eventually('$disconnect to delete the record', async () => ((await t.record(connectionId)) === undefined ? true : undefined));
    const logged = await eventually('the $disconnect log line', () => t.logs.find((entry) => entry.name === 'Disconnect' && entry.line.includes(connectionId))?.line);
    expect(JSON.parse(logged)).toMatchObject({ message: 'Connection closed', connectionId, disconnectStatusCode: 1000 });
  });

  it('answers 410 GoneException for an unknown connection id', async () => {
    const unknown = 'AAAAAAAAAAAAAAA=';

    await expect(t.management.send(new PostToConnectionCommand({ ConnectionId: unknown, Data: Buffer.from('x') }))).rejects.toBeInstanceOf(GoneException);
    await expect(t.management.send(new GetConnectionCommand({ ConnectionId: unknown }))).rejects.toBeInstanceOf(GoneException);
    await expect(t.management.send(new DeleteConnectionCommand({ ConnectionId: unknown }))).rejects.toBeInstanceOf(GoneException);
  });

  it('answers 410 GoneException for a connection that has closed', async () => {
    const { client, connectionId } = await t.connectAs('u-closed');
    await client.close(1000, 'bye');

    await expect(t.management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('x') }))).rejects.toBeInstanceOf(GoneException);
  });
});
