import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FunctionRunner, type LocalFunctionDefinition } from '../../../src/local/functions/function-runner';
import type { PollerBatchEvent } from '../../../src/local/pollers/poller-events';
import { QueuePollers } from '../../../src/local/pollers/queue-pollers';
import { EmbeddedSqs } from '../../../src/local/services/embedded-sqs';
import type { EventSourceMappingModel, QueueModel } from '../../../src/local/template/stack-model';
import { useFixtureBundles } from '../../helpers/fixture-bundles';
import { ConsumerLog } from './consumer-log';
import { waitFor } from './wait-for';

/**
 * Failure handling of the queue pollers against the real embedded SQS and a real function: short
 * visibility timeouts (the embedded SQS's test override) make retries happen within seconds.
 */

const fixture = useFixtureBundles(['sqs-consumer']);
const consumer = (): LocalFunctionDefinition => ({ logicalId: 'Consumer', codeDirectory: fixture('sqs-consumer'), handlerExport: 'handler', environment: {}, timeoutSeconds: 5, memorySizeMb: 128 });

function queue(logicalId: string, redrive?: QueueModel['redrive']): QueueModel {
  return { logicalId, name: logicalId, visibilityTimeoutSeconds: 30, delaySeconds: 0, ...(redrive !== undefined ? { redrive } : {}) };
}

function mapping(queueId: string, overrides: Partial<EventSourceMappingModel> = {}): EventSourceMappingModel {
  return { logicalId: `${queueId}Mapping`, functionId: 'Consumer', queueId, batchSize: 10, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true, ...overrides };
}

describe('Class: QueuePollers (failures and retries)', () => {
  const log = new ConsumerLog();
  const batches: PollerBatchEvent[] = [];
  let runner: FunctionRunner;
  /** Visibility 2 s. */
  let sqs: EmbeddedSqs;
  /**
   * Visibility 1 s, for retries within about a second: longer than any batching window here (a
   * buffered message cannot reappear before its batch is sent).
   */
  let fastSqs: EmbeddedSqs;
  let client: SQSClient;
  let fastClient: SQSClient;
  let pollers: QueuePollers | undefined;

  beforeAll(async () => {
    [runner, sqs, fastSqs] = await Promise.all([
      FunctionRunner.start({ functions: [consumer()], onLog: log.onLog }),
      EmbeddedSqs.start({ queues: [queue('Invalid')], visibilityTimeoutSeconds: 2 }),
      EmbeddedSqs.start({ queues: [queue('Partial'), queue('Throwing'), queue('Redrive', { deadLetterQueueId: 'RedriveDlq', maxReceiveCount: 2 }), queue('RedriveDlq')], visibilityTimeoutSeconds: 1 }),
    ]);
    client = new SQSClient(sqs.clientConfig);
    fastClient = new SQSClient(fastSqs.clientConfig);
  });

  afterEach(async () => {
    await pollers?.close();
    pollers = undefined;
  });

  afterAll(async () => {
    client.destroy();
    fastClient.destroy();
    await runner.close();
    await Promise.all([sqs.close(), fastSqs.close()]);
  });

  function startPollers(on: EmbeddedSqs, mappings: EventSourceMappingModel[]): void {
    pollers = QueuePollers.start({ mappings, sqs: on, invoker: runner, onBatch: (event) => batches.push(event) });
  }

  async function visibleAndInFlight(on: SQSClient, QueueUrl: string): Promise<string> {
    const { Attributes } = await on.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    // local-aws-sqs counts in-flight messages in ApproximateNumberOfMessages too.
    return `${Attributes?.ApproximateNumberOfMessages}/${Attributes?.ApproximateNumberOfMessagesNotVisible}`;
  }

  it('deletes the successful records of a partial batch response and retries only the failed one', async () => {
    // Prepare: a batch of three (BatchSize 3 with a window, so they travel together); b fails once,
    // and its retry, alone in its batch, waits out the window. A window of 0.5 s (the poller takes
    // seconds with fractions; Lambda's API whole seconds), half the queue's visibility timeout.
    startPollers(fastSqs, [mapping('Partial', { batchSize: 3, maximumBatchingWindowSeconds: 0.5 })]);
    const url = fastSqs.queue('Partial').url;

    // Act
    await fastClient.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: JSON.stringify({ id: 'partial-a' }) },
          { Id: 'b', MessageBody: JSON.stringify({ id: 'partial-b', failUntilReceive: 2 }) },
          { Id: 'c', MessageBody: JSON.stringify({ id: 'partial-c' }) },
        ],
      }),
    );
    const firstBatch = await waitFor('the first batch', () => batches.find((event) => event.queueId === 'Partial'));
    const remainingAfterFirstBatch = await visibleAndInFlight(fastClient, url);
    await waitFor('b to be retried', () => (log.of('partial-b').length === 2 ? true : undefined));
    await waitFor('the queue to be empty', async () => ((await visibleAndInFlight(fastClient, url)) === '0/0' ? true : undefined));

    // Assess
    expect(firstBatch).toMatchObject({ outcome: 'partial', deleteFailures: 0 });
    expect(firstBatch.messageIds).toHaveLength(3);
    expect(log.batchesOf(['partial-a', 'partial-b', 'partial-c'])).toEqual([['partial-a', 'partial-b', 'partial-c'], ['partial-b']]);
    expect(remainingAfterFirstBatch).toBe('1/1'); // only b is left, in flight until its visibility timeout
    expect(log.of('partial-b').map((record) => record.receiveCount)).toEqual([1, 2]);
    expect(log.of('partial-a')).toHaveLength(1);
    expect(log.of('partial-c')).toHaveLength(1);
  });

  it('retries the whole batch when the function throws', async () => {
    // Prepare: sent together, the two fill their batch at once (the window only keeps them
    // together), on a queue whose retries come after 1 s.
    startPollers(fastSqs, [mapping('Throwing', { batchSize: 2, maximumBatchingWindowSeconds: 0.5 })]);
    const url = fastSqs.queue('Throwing').url;

    // Act: the batch of two throws on the first receive only (fixture: throw while receive count < 2).
    await fastClient.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: JSON.stringify({ id: 'throwing-a' }) },
          { Id: 'b', MessageBody: JSON.stringify({ id: 'throwing-b', throwUntilReceive: 2 }) },
        ],
      }),
    );
    await waitFor('both to be delivered twice', () => (log.of('throwing-a').length === 2 && log.of('throwing-b').length === 2 ? true : undefined));
    await waitFor('the queue to be empty', async () => ((await visibleAndInFlight(fastClient, url)) === '0/0' ? true : undefined));

    // Assess
    const outcomes = batches.filter((event) => event.queueId === 'Throwing').map((event) => [event.outcome, event.reason]);
    expect(outcomes).toEqual([
      ['failure', 'Error: batch failed on purpose'],
      ['success', undefined],
    ]);
    expect(log.of('throwing-a').map((record) => record.receiveCount)).toEqual([1, 2]);
  });

  it('keeps the whole batch when the batch response names a message that is not in it', async () => {
    // Prepare
    startPollers(sqs, [mapping('Invalid')]);

    // Act
    const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: sqs.queue('Invalid').url, MessageBody: JSON.stringify({ id: 'foreign', reportForeign: true }) }));
    const batch = await waitFor('the batch', () => batches.find((event) => event.queueId === 'Invalid'));

    // Assess
    expect(batch).toMatchObject({ outcome: 'failure', failedMessageIds: [MessageId] });
    expect(batch.reason).toMatch(/not a message of the batch/);
    expect(await visibleAndInFlight(client, sqs.queue('Invalid').url)).toBe('1/1');
  });

  it('lets SQS move a message that keeps failing to the DLQ after maxReceiveCount receives', async () => {
    // Prepare
    startPollers(fastSqs, [mapping('Redrive')]);
    const source = fastSqs.queue('Redrive');

    // Act
    const { MessageId } = await fastClient.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: JSON.stringify({ id: 'poison', throw: true }) }));
    const inDlq = await waitFor(
      'the message in the DLQ',
      async () => (await fastClient.send(new ReceiveMessageCommand({ QueueUrl: fastSqs.queue('RedriveDlq').url, WaitTimeSeconds: 1, AttributeNames: ['All'] }))).Messages?.[0],
    );

    // Assess
    expect(inDlq).toMatchObject({ MessageId, Attributes: { DeadLetterQueueSourceArn: source.arn } });
    expect(log.of('poison').map((record) => record.receiveCount)).toEqual([1, 2]);
    expect(await visibleAndInFlight(fastClient, source.url)).toBe('0/0');
  });
});
