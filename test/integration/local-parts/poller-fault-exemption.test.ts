/**
 * The queue pollers stand for AWS's event source mapping service: injected SQS faults (which stand
 * for what the application's own calls meet) never touch their receives and deletes.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FunctionRunner } from '../../../src/local/functions/function-runner';
import type { PollerBatchEvent } from '../../../src/local/pollers/poller-events';
import { QueuePollers } from '../../../src/local/pollers/queue-pollers';
import { EmbeddedSqs } from '../../../src/local/services/embedded-sqs';
import { useFixtureBundles } from '../../helpers/fixture-bundles';
import { waitFor } from './wait-for';

describe('Class: QueuePollers (SQS fault injection)', () => {
  const fixture = useFixtureBundles(['sqs-noop']);
  let sqs: EmbeddedSqs;
  let runner: FunctionRunner;
  let client: SQSClient;
  let pollers: QueuePollers;
  const batches: PollerBatchEvent[] = [];

  beforeAll(async () => {
    sqs = await EmbeddedSqs.start({ queues: [{ logicalId: 'Work', name: 'Work', visibilityTimeoutSeconds: 30, delaySeconds: 0 }] });
    runner = await FunctionRunner.start({
      functions: [{ logicalId: 'Noop', codeDirectory: fixture('sqs-noop'), handlerExport: 'handler', environment: {}, timeoutSeconds: 5, memorySizeMb: 128 }],
    });
    client = new SQSClient({ ...sqs.clientConfig, maxAttempts: 1 });
  });

  afterAll(async () => {
    await pollers.close();
    client.destroy();
    await runner.close();
    await sqs.close();
  });

  it('receives and deletes every message while every ReceiveMessage and DeleteMessageBatch of other clients fails', async () => {
    // Prepare
    const QueueUrl = sqs.queue('Work').url;
    sqs.faults.set({ rate: 1, operations: ['ReceiveMessage', 'DeleteMessageBatch'] });
    pollers = QueuePollers.start({
      mappings: [{ logicalId: 'WorkMapping', functionId: 'Noop', queueId: 'Work', batchSize: 10, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true }],
      sqs,
      invoker: runner,
      onBatch: (event) => batches.push(event),
    });

    // Act
    await client.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `m${i}` })) }));
    const ownReceive = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 })).then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitFor('the ten messages to be processed', () => (batches.flatMap((batch) => batch.messageIds).length >= 10 ? true : undefined));
    const depth = await waitFor('an empty queue', async () => {
      const { Attributes = {} } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      const total = Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
      return total === 0 ? total : undefined;
    });

    // Assess
    expect(ownReceive).toMatchObject({ message: expect.stringContaining('(injected fault)') as unknown });
    expect(depth).toBe(0);
    expect(batches.every((batch) => batch.outcome === 'success' && batch.deleteFailures === 0)).toBe(true);
    // Only this test's own ReceiveMessage was subject to faults: none of the pollers' calls were.
    expect(sqs.faults.counts()).toMatchObject({ requests: 1, injected: 1, byOperation: { ReceiveMessage: 1 } });
  });
});
