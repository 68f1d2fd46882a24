/**
 * `onServiceRequest` of startLocalStack: every request the embedded DynamoDB and SQS and the
 * Management API answer, reported once answered, by service and operation — what the benchmark
 * counts as AWS requests per operation (docs/performance.md).
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ServiceRequestEvent } from '../../../src/local/runtime';
import { eventually, frame, startTestStack, type TestStack } from '../../helpers/local-stack';

describe('Function: startLocalStack', () => {
  describe('Property: startupPhases', () => {
    it('splits the start-up time into its phases, in order', async () => {
      // Act
      const t = await startTestStack({ stage: 'local' });
      try {
        const { startupMs } = t.stack;
        const phases: Record<string, number> = { ...t.stack.startupPhases };

        // Assess
        expect(Object.keys(phases)).toEqual(['keys', 'synth', 'services', 'gateway', 'functions', 'pollers']);
        for (const ms of Object.values(phases)) expect(ms).toBeGreaterThanOrEqual(0);
        const total = Object.values(phases).reduce((sum, ms) => sum + ms, 0);
        expect(total).toBeLessThanOrEqual(startupMs);
        expect(total).toBeGreaterThan(startupMs * 0.9);
      } finally {
        await t.close();
      }
    });
  });

  describe('Option: ttlSweepSeconds', () => {
    it('sweeps expired items every 60 s by default, and not at all with 0', async () => {
      // Act
      const swept = await startTestStack({ stage: 'local' });
      const unswept = await startTestStack({ stage: 'local', ttlSweepSeconds: 0 });
      try {
        // Assess
        expect(await swept.stack.dynamodb.sweepExpiredItems()).toBe(0);
        expect(() => unswept.stack.dynamodb.sweepExpiredItems()).toThrow(TypeError);
      } finally {
        await Promise.all([swept.close(), unswept.close()]);
      }
    });
  });

  describe('Option: onServiceRequest', () => {
    let t: TestStack;
    const requests: ServiceRequestEvent[] = [];
    /** The requests of the functions and of the test's clients: the pollers' own calls left out. */
    const applicationRequests = () => requests.filter((request) => request.caller === undefined).map((request) => `${request.service}.${request.operation} ${request.status}`);

    beforeAll(async () => {
      t = await startTestStack({ stage: 'local', onServiceRequest: (request) => requests.push(request) });
    });

    afterAll(async () => {
      await t.close();
    });

    it('reports the one GetItem a ping makes, with its status and duration', async () => {
      // Prepare
      const { client } = await t.connectAs('counted-ping');
      requests.length = 0;

      // Act
      const reply = frame(await client.request(JSON.stringify({ action: 'ping' })));

      // Assess
      expect(reply.type).toBe('pong');
      expect(applicationRequests()).toEqual(['dynamodb.GetItem 200']);
      expect(requests[0]?.durationMs).toBeGreaterThan(0);
    });

    it('reports a notification request by request: the application, the functions, the pollers and the Management API', async () => {
      // Prepare
      const { client } = await t.connectAs('counted-user');
      requests.length = 0;

      // Act
      await t.sqs.send(new SendMessageCommand({ QueueUrl: t.stack.endpoints.queues.NotifyUser, MessageBody: JSON.stringify({ userId: 'counted-user', data: 1, id: 'n1' }) }));
      const delivered = frame(await client.next(10_000));

      // Assess
      expect(delivered).toEqual({ type: 'notification', id: 'n1', seq: 1, data: 1 });
      expect(applicationRequests()).toEqual(
        expect.arrayContaining(['sqs.SendMessage 200', 'dynamodb.Query 200', 'sqs.SendMessageBatch 200', 'dynamodb.BatchGetItem 200', 'management.PostToConnection 200']),
      );
      // The pollers' receives and deletes carry their caller; the deletes come after the invocations return.
      await eventually('the pollers to delete both messages', () =>
        requests.filter((request) => request.caller === 'event-source-mapping' && request.operation === 'DeleteMessageBatch').length >= 2 ? true : undefined,
      );
      expect(requests.some((request) => request.caller === 'event-source-mapping' && request.operation === 'ReceiveMessage')).toBe(true);
    });
  });
});
