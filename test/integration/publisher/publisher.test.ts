/**
 * The publisher against the real local stack: NotifyPublisher.forStage reads the endpoints file
 * the stack wrote, creates its own SQS client, and the notifications it sends reach real `ws`
 * clients through NotifyUser and NotifyConnection.
 */
import { NotifyPublisher } from '../../../src/publisher';
import { frame, startTestStack, type TestStack } from '../../helpers/local-stack';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Generous for a busy 2-core machine: a notification crosses two queues. */
const DELIVERY_TIMEOUT_MS = 15_000;

describe('Publisher: against the local stack', () => {
  let t: TestStack;
  let publisher: NotifyPublisher;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local' });
    publisher = NotifyPublisher.forStage('local');
  });

  afterAll(async () => {
    publisher.destroy();
    await t.close();
  });

  it('forStage finds the running stack from its endpoints file', () => {
    expect(publisher.notifyUserQueueUrl).toBe(t.stack.endpoints.queues.NotifyUser);
    expect(publisher.notifyConnectionQueueUrl).toBe(t.stack.endpoints.queues.NotifyConnection);
  });

  it('notifyUser reaches every connection of the user with the id it returned', async () => {
    const first = await t.connectAs('pub-alice');
    const second = await t.connectAs('pub-alice');

    const published = await publisher.notifyUser('pub-alice', { download: '/reports/42' });

    expect(published).toEqual({ id: expect.stringMatching(UUID) as string, messageId: expect.any(String) as string });
    const delivered = [frame(await first.client.next(DELIVERY_TIMEOUT_MS)), frame(await second.client.next(DELIVERY_TIMEOUT_MS))];
    for (const notification of delivered) {
      expect(notification).toMatchObject({ type: 'notification', id: published.id, data: { download: '/reports/42' } });
    }
    await Promise.all([first.client.close(), second.client.close()]);
  });

  it('notifyUser carries the id given', async () => {
    const { client } = await t.connectAs('pub-bob');

    const published = await publisher.notifyUser('pub-bob', 'ready', { id: 'report-7' });

    expect(published.id).toBe('report-7');
    expect(frame(await client.next(DELIVERY_TIMEOUT_MS))).toMatchObject({ type: 'notification', id: 'report-7', data: 'ready' });
    await client.close();
  });

  it('notifyConnection reaches the connection', async () => {
    const { client, connectionId } = await t.connectAs('pub-carol');

    const published = await publisher.notifyConnection(connectionId, 'hello');

    expect(frame(await client.next(DELIVERY_TIMEOUT_MS))).toEqual({ type: 'notification', id: published.id, data: 'hello' });
    await client.close();
  });

  it('notifyUsers reaches each of 12 users (two batches) with its own notification', async () => {
    const userIds = Array.from({ length: 12 }, (_, index) => `pub-team-${index}`);
    const connections = [];
    for (const userId of userIds) connections.push(await t.connectAs(userId));

    const published = await publisher.notifyUsers(userIds.map((userId, index) => ({ userId, data: { report: index } })));

    expect(published).toHaveLength(12);
    expect(new Set(published.map((notification) => notification.id)).size).toBe(12);
    for (const [index, { client }] of connections.entries()) {
      expect(frame(await client.next(DELIVERY_TIMEOUT_MS))).toMatchObject({ type: 'notification', id: published[index]?.id, data: { report: index } });
    }
    await Promise.all(connections.map(({ client }) => client.close()));
  });
});
