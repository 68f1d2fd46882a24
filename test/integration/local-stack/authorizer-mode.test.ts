/**
 * The local stack in mode `authorizer` (stage `local`), with real `ws` clients, the real `notify`
 * CLI and the unmodified AWS SDK clients, its Management API (`@connections`) through the
 * unmodified ApiGatewayManagementApiClient among them. One stack for the file; each test opens its
 * own connections as its own users.
 */
import { DeleteConnectionCommand, GetConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { eventually, frame, runNpmScript, startTestStack, type TestStack } from '../../helpers/local-stack';
import { runInProcess } from '../../helpers/cli-in-process';

describe('Local stack: mode authorizer', () => {
  let t: TestStack;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local' });
  });

  afterAll(async () => {
    await t.close();
  });

  describe('Handshake', () => {
    it('refuses a connection without a token with 401, without invoking the authorizer', async () => {
      const before = t.logs.filter((entry) => entry.name === 'Authorizer' && entry.line.startsWith('START')).length;

      const refused = await t.refused();
      const empty = await t.refused('?token=');

      expect(refused.status).toBe(401);
      expect(empty.status).toBe(401);
      expect(t.logs.filter((entry) => entry.name === 'Authorizer' && entry.line.startsWith('START'))).toHaveLength(before);
    });

    it('refuses a bad token with 403 and writes no record', async () => {
      const good = await t.token('mallory');
      const tampered = `${good.slice(0, -4)}AAAA`;

      const refused = await t.refused(`?token=${tampered}`);
      const garbage = await t.refused('?token=not-a-jwt');

      expect(refused.status).toBe(403);
      expect(garbage.status).toBe(403);
      expect((await t.records()).filter((item) => item.userId?.S === 'mallory')).toEqual([]);
    });

    it('accepts a good token and writes an authorized record for the token subject', async () => {
      const { client, connectionId } = await t.connectAs('alice');

      const record = await t.record(connectionId);

      expect(record).toMatchObject({ connectionId: { S: connectionId }, state: { S: 'authorized' }, userId: { S: 'alice' }, authMode: { S: 'authorizer' } });
      await client.close(1000, 'done');
    });
  });

  describe('Routes', () => {
    it('answers ping with pong carrying the name and the connection id', async () => {
      const { client, connectionId } = await t.connectAs('bob');

      const reply = frame(await client.request(JSON.stringify({ action: 'ping', name: 'Stepan' })));

      expect(reply).toEqual({ type: 'pong', name: 'Stepan', connectionId });
      await client.close();
    });

    it('answers an unknown action with not_implemented and keeps the connection open', async () => {
      const { client } = await t.connectAs('bob');

      const reply = frame(await client.request(JSON.stringify({ action: 'launch' })));
      const after = frame(await client.request(JSON.stringify({ action: 'ping' })));

      expect(reply).toMatchObject({ type: 'error', code: 'not_implemented' });
      expect(typeof reply.message).toBe('string');
      expect(after.type).toBe('pong');
      await client.close();
    });
  });

  describe('Notifications', () => {
    it('npm run notify -- --user reaches every connection of that user and no one else', async () => {
      const carol1 = await t.connectAs('carol');
      const carol2 = await t.connectAs('carol');
      const dave = await t.connectAs('dave');

      const run = await runNpmScript('notify', ['--user', 'carol', '--data', '{"download":"/reports/42"}'], t.cliEnv);

      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
      // The command gives the notification a UUID of its own (not the queue message id it prints), the same on every connection.
      const delivered = frame(await carol1.client.next(10_000));
      expect(delivered).toEqual({ type: 'notification', id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string, seq: 1, data: { download: '/reports/42' } });
      expect(delivered.id).not.toBe(run.stdout.trim());
      expect(frame(await carol2.client.next(10_000))).toEqual(delivered);
      // dave's connection is still open and answers, and got nothing in between.
      expect(frame(await dave.client.request(JSON.stringify({ action: 'ping' }))).type).toBe('pong');
      expect(dave.client.pending).toEqual([]);
      await Promise.all([carol1.client.close(), carol2.client.close(), dave.client.close()]);
    });

    it('carries the given --id to every connection', async () => {
      const erin = await t.connectAs('erin');

      // In-process: the test above runs the command as a user does.
      const run = await runInProcess(['notify', '--user', 'erin', '--id', 'report-7', '--data', '"ready"'], t.cliEnv);

      expect(run.code).toBe(0);
      expect(frame(await erin.client.next(10_000))).toEqual({ type: 'notification', id: 'report-7', seq: 1, data: 'ready' });
      await erin.client.close();
    });

    it('NotifyConnection reaches exactly one connection', async () => {
      const frank1 = await t.connectAs('frank');
      const frank2 = await t.connectAs('frank');
      let stop: () => void = () => undefined;
      const delivered = new Promise<void>((resolve) => {
        stop = t.stack.onInvocation((event) => {
          if (event.type === 'end' && event.functionId === 'NotifyConnection') resolve();
        });
      });

      const run = await runInProcess(['notify', '--connection', frank1.connectionId, '--data', '"hello"'], t.cliEnv);

      expect(run.code).toBe(0);
      expect(frame(await frank1.client.next(10_000))).toEqual({ type: 'notification', id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string, data: 'hello' });
      // Once NotifyConnection has returned, every post it made has been written to its socket: a
      // ping round trip on the other connection then proves nothing arrived there.
      await delivered;
      stop();
      expect(frame(await frank2.client.request(JSON.stringify({ action: 'ping' }))).type).toBe('pong');
      expect(frank2.client.pending).toEqual([]);
      await Promise.all([frank1.client.close(), frank2.client.close()]);
    });

    it('a notification to a user with no connections succeeds and leaves nothing in the queues', async () => {
      await t.sqs.send(new SendMessageCommand({ QueueUrl: t.stack.endpoints.queues.NotifyUser, MessageBody: JSON.stringify({ userId: 'nobody', data: 1 }) }));

      await eventually('NotifyUser to drain', async () => ((await t.queueDepth('NotifyUser')) === 0 ? true : undefined));

      expect(await t.queueDepth('NotifyUserDeadLetter')).toBe(0);
      expect(await t.queueDepth('NotifyConnection')).toBe(0);
    });
  });

  describe('Disconnect', () => {
    it('deletes the record when the client closes', async () => {
      const { client, connectionId } = await t.connectAs('gina');

      await client.close(1000, 'bye');

      await eventually('the record to be deleted', async () => ((await t.record(connectionId)) === undefined ? true : undefined));
    });
  });

  describe('Management API', () => {
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
});
