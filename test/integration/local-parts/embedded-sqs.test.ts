import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { EmbeddedSqs } from '../../../src/local/services/embedded-sqs';
import { requestObserver, type ServiceRequestEvent } from '../../../src/local/services/request-interceptors';
import { EmbeddedServiceError } from '../../../src/local/services/service-errors';
import type { QueueModel } from '../../../src/local/template/stack-model';
import { sleep, waitFor } from './wait-for';

const queues: QueueModel[] = [
  // Listed before its DLQ on purpose: creation must order them.
  { logicalId: 'NotifyUserQueue', name: 'NotifyUser', visibilityTimeoutSeconds: 30, delaySeconds: 0, messageRetentionSeconds: 3600, redrive: { deadLetterQueueId: 'NotifyUserDlq', maxReceiveCount: 2 } },
  { logicalId: 'NotifyUserDlq', name: 'NotifyUserDeadLetter', visibilityTimeoutSeconds: 30, delaySeconds: 0, messageRetentionSeconds: 1_209_600 },
  { logicalId: 'DeadlineQueue', name: 'AuthorizeDeadline', queueName: 'explicit-deadline-queue', visibilityTimeoutSeconds: 45, delaySeconds: 5 },
];

async function receiveOne(client: SQSClient, QueueUrl: string, WaitTimeSeconds = 2): Promise<Message | undefined> {
  const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds, MaxNumberOfMessages: 1, AttributeNames: ['All'] }));
  return Messages?.[0];
}

describe('Class: EmbeddedSqs', () => {
  let sqs: EmbeddedSqs;
  let client: SQSClient;

  beforeAll(async () => {
    sqs = await EmbeddedSqs.start({ queues, namePrefix: 'ws-notify-test-', visibilityTimeoutSeconds: 1 });
    client = new SQSClient(sqs.clientConfig);
  });

  afterAll(async () => {
    client.destroy();
    await sqs.close();
  });

  describe('Method: start', () => {
    it('creates the queues with their attributes and a RedrivePolicy naming the DLQ by ARN', async () => {
      // Prepare
      const source = sqs.queue('NotifyUserQueue');
      const dlq = sqs.queue('NotifyUserDlq');

      // Act
      const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: source.url, AttributeNames: ['All'] }));

      // Assess
      expect(source).toEqual({
        logicalId: 'NotifyUserQueue',
        name: 'NotifyUser',
        queueName: 'ws-notify-test-NotifyUser',
        url: `http://127.0.0.1:${sqs.port}/000000000000/ws-notify-test-NotifyUser`,
        arn: 'arn:aws:sqs:us-east-1:000000000000:ws-notify-test-NotifyUser',
        deadLetterQueueId: 'NotifyUserDlq',
      });
      expect(Attributes).toMatchObject({ QueueArn: source.arn, VisibilityTimeout: '1', DelaySeconds: '0', MessageRetentionPeriod: '3600' });
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 });
      expect(sqs.queue('DeadlineQueue').queueName).toBe('explicit-deadline-queue');
      const deadline = await client.send(new GetQueueAttributesCommand({ QueueUrl: sqs.queue('DeadlineQueue').url, AttributeNames: ['DelaySeconds'] }));
      expect(deadline.Attributes?.DelaySeconds).toBe('5');
    });

    it("keeps each queue's own visibility timeout unless told otherwise", async () => {
      // Prepare
      const local = await EmbeddedSqs.start({ queues });
      const localClient = new SQSClient(local.clientConfig);

      // Act
      const { Attributes } = await localClient.send(new GetQueueAttributesCommand({ QueueUrl: local.queue('DeadlineQueue').url, AttributeNames: ['VisibilityTimeout', 'DelaySeconds'] }));

      // Assess
      expect(Attributes).toEqual({ VisibilityTimeout: '45', DelaySeconds: '5' });
      expect(local.queue('NotifyUserQueue').queueName).toBe('NotifyUser');
      localClient.destroy();
      await local.close();
    });

    it('refuses a redrive to a queue that is not in the stack, a name SQS would refuse, and two queues of one name', async () => {
      // Act & Assess
      await expect(EmbeddedSqs.start({ queues: [{ logicalId: 'Orphan', name: 'Orphan', visibilityTimeoutSeconds: 30, delaySeconds: 0, redrive: { deadLetterQueueId: 'Missing', maxReceiveCount: 3 } }] })).rejects.toThrow(
        new EmbeddedServiceError('setup_failed', 'queue Orphan: dead-letter queue Missing is not in the stack'),
      );
      await expect(EmbeddedSqs.start({ queues: [{ logicalId: 'Bad', name: 'Bad', queueName: 'has spaces', visibilityTimeoutSeconds: 30, delaySeconds: 0 }] })).rejects.toMatchObject({ code: 'setup_failed' });
      await expect(
        EmbeddedSqs.start({
          queues: [
            { logicalId: 'A1', name: 'Same', visibilityTimeoutSeconds: 30, delaySeconds: 0 },
            { logicalId: 'B2', name: 'Same', visibilityTimeoutSeconds: 30, delaySeconds: 0 },
          ],
        }),
      ).rejects.toThrow('queues A1 and B2 would both be named "Same"');
    });
  });

  describe('Redrive', () => {
    it('moves a message to the DLQ after maxReceiveCount (2) receives that did not delete it', async () => {
      // Prepare
      const source = sqs.queue('NotifyUserQueue');
      const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: '{"userId":"u1","data":1}' }));

      // Act: receive it twice without deleting; the 1 s visibility override makes it reappear quickly.
      const first = await receiveOne(client, source.url);
      const second = await receiveOne(client, source.url, 3);
      const inDlq = await waitFor('the message in the DLQ', () => receiveOne(client, sqs.queue('NotifyUserDlq').url, 3));

      // Assess
      expect(first).toMatchObject({ MessageId, Attributes: { ApproximateReceiveCount: '1' } });
      expect(second).toMatchObject({ MessageId, Attributes: { ApproximateReceiveCount: '2' } });
      expect(inDlq).toMatchObject({ MessageId, Body: '{"userId":"u1","data":1}', Attributes: { DeadLetterQueueSourceArn: source.arn } });
      expect(await receiveOne(client, source.url, 0)).toBeUndefined();
    });
  });

  describe('Aborted long polls', () => {
    it('gives back what an abandoned long poll collects, so nothing hides for a visibility timeout', async () => {
      // Prepare: a long poll whose client gives up (as a poller does when it shuts down).
      const queue = sqs.queue('NotifyUserDlq');
      const abort = new AbortController();
      const abandoned = client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 20, MaxNumberOfMessages: 1 }), { abortSignal: abort.signal });
      await sleep(30);
      abort.abort();
      await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });

      // Act: the server-side receive is still running and takes this message.
      const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'after the abort' }));
      const received = await receiveOne(client, queue.url, 2);

      // Assess
      expect(received).toMatchObject({ MessageId, Body: 'after the abort', Attributes: { ApproximateReceiveCount: '1' } });
    });
  });

  describe('Method: eventSourceQueue', () => {
    it('receives what the SDK receives, in its shape, deletes, and reports both as the mapping’s requests', async () => {
      // Prepare
      const requests: ServiceRequestEvent[] = [];
      const local = await EmbeddedSqs.start({ queues: [{ logicalId: 'Q', name: 'Q', visibilityTimeoutSeconds: 1, delaySeconds: 0 }] });
      local.interceptors.add(requestObserver((event) => requests.push(event)));
      const localClient = new SQSClient(local.clientConfig);
      const QueueUrl = local.queue('Q').url;
      const MessageAttributes = { reason: { DataType: 'String', StringValue: 'invalid_json' }, raw: { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 254, 255]) } };
      await localClient.send(new SendMessageCommand({ QueueUrl, MessageBody: 'first', MessageAttributes }));
      const viaSdk = await localClient.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2, AttributeNames: ['All'], MessageAttributeNames: ['All'] }));
      const source = local.eventSourceQueue('Q');

      // Act: the same message again once its visibility (1 s) has passed, then deleted.
      const [direct] = await source.receive({ maxMessages: 1, waitTimeSeconds: 5 });
      const failures = await source.deleteBatch([direct?.ReceiptHandle ?? '', 'not-a-handle']);

      // Assess
      const sdkMessage = viaSdk.Messages?.[0];
      expect(direct).toEqual({
        ...sdkMessage,
        ReceiptHandle: expect.any(String) as unknown,
        Attributes: { ...sdkMessage?.Attributes, ApproximateReceiveCount: '2' },
        MessageAttributes: { reason: { DataType: 'String', StringValue: 'invalid_json' }, raw: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 254, 255]) } },
      });
      expect(failures).toEqual([{ index: 1, code: 'ReceiptHandleIsInvalid' }]);
      const { Attributes } = await localClient.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
      expect(requests.filter((request) => request.caller === 'event-source-mapping').map((request) => `${request.operation} ${request.status}`)).toEqual(['ReceiveMessage 200', 'DeleteMessageBatch 200']);
      localClient.destroy();
      await local.close();
    });

    it('rejects an aborted receive at once and gives back what it collects afterwards', async () => {
      // Prepare
      const QueueUrl = sqs.queue('DeadlineQueue').url;
      const abort = new AbortController();
      const receiving = sqs.eventSourceQueue('DeadlineQueue').receive({ maxMessages: 1, waitTimeSeconds: 20, signal: abort.signal });

      // Act
      abort.abort();
      await expect(receiving).rejects.toMatchObject({ name: 'AbortError' });
      const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'after abort', DelaySeconds: 0 }));

      // Assess: the abandoned receive takes it at its next scan and puts it back, visible, same id.
      const message = await receiveOne(client, QueueUrl, 5);
      expect(message).toMatchObject({ MessageId, Body: 'after abort', Attributes: { ApproximateReceiveCount: '1' } });
      // Clean up: the queue is shared with the tests below.
      await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message?.ReceiptHandle }));
    });

    it('knows only the stack’s queues', () => {
      expect(() => sqs.eventSourceQueue('Unknown')).toThrow(EmbeddedServiceError);
    });
  });

  describe('Property: faults', () => {
    afterEach(() => sqs.faults.set(undefined));

    it('throttles like SQS, and the SDK retries until the call passes', async () => {
      // Prepare: two throttled attempts, then a pass.
      const draws = [0, 0, 0, 0, 0.99];
      sqs.faults.set({ rate: 0.5, kinds: ['throttle'], random: () => draws.shift() ?? 0.99 });
      const queue = sqs.queue('DeadlineQueue');

      // Act
      const sent = await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'retried', DelaySeconds: 0 }));

      // Assess
      expect(sent.$metadata.attempts).toBe(3);
      expect(await receiveOne(client, queue.url)).toMatchObject({ MessageId: sent.MessageId, Body: 'retried' });
    });

    it('surfaces a 500 as an SQS service error once the retries are spent', async () => {
      // Prepare
      sqs.faults.set({ rate: 1, kinds: ['server'] });
      const noRetries = new SQSClient({ ...sqs.clientConfig, maxAttempts: 1 });

      // Act
      const sending = noRetries.send(new SendMessageCommand({ QueueUrl: sqs.queue('DeadlineQueue').url, MessageBody: 'lost?' }));

      // Assess
      await expect(sending).rejects.toMatchObject({ name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } });
      noRetries.destroy();
    });
  });

  describe('Method: close', () => {
    it('drops open long polls, stops listening, and can be called twice', async () => {
      // Prepare
      const local = await EmbeddedSqs.start({ queues: [{ logicalId: 'Q', name: 'Q', visibilityTimeoutSeconds: 30, delaySeconds: 0 }] });
      const localClient = new SQSClient({ ...local.clientConfig, maxAttempts: 1 });
      const polling = localClient.send(new ReceiveMessageCommand({ QueueUrl: local.queue('Q').url, WaitTimeSeconds: 20 }));
      await waitFor('the long poll to connect', async () => ((await local.connectionCount()) > 0 ? true : undefined));

      // Act
      await Promise.all([local.close(), local.close()]);

      // Assess
      await expect(polling).rejects.toThrow();
      await expect(localClient.send(new GetQueueAttributesCommand({ QueueUrl: local.queue('Q').url }))).rejects.toThrow(/ECONNREFUSED/);
      localClient.destroy();
    });
  });
});
