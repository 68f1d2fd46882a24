/**
 * `duplicates` (`npm start -- --sqs-duplicates RATE`) against the real embedded SQS: a message the
 * event source mapping receives comes a second time, with the same message id, body, attributes
 * and sent time, either at once (while the first copy is still in flight) or once the first copy
 * is deleted; the copy is an ordinary message from then on; the application's own receives never
 * see copies.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { EmbeddedSqs } from '../../../src/local/services/embedded-sqs';
import type { EventSourceQueue } from '../../../src/local/services/sqs-engine';

const RECEIVE = { maxMessages: 1, waitTimeSeconds: 5 };

describe('Class: EmbeddedSqs with duplicate deliveries', () => {
  let sqs: EmbeddedSqs;
  let client: SQSClient;
  /** Each test has a queue of its own, so that none sees another's messages. */
  let queueUrl: string;
  let source: EventSourceQueue;
  const QUEUES = ['Concurrent', 'Later', 'Application'] as const;
  const useQueue = (logicalId: (typeof QUEUES)[number]): void => {
    queueUrl = sqs.queue(logicalId).url;
    source = sqs.eventSourceQueue(logicalId);
  };

  /** Messages in the queue: visible, and in flight (received, not deleted). */
  const depth = async (): Promise<{ visible: number; inFlight: number }> => {
    const { Attributes = {} } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    // local-aws-sqs counts in-flight messages in ApproximateNumberOfMessages too.
    const inFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible);
    return { visible: Number(Attributes.ApproximateNumberOfMessages) - inFlight, inFlight };
  };
  const send = async (body: string): Promise<string> => {
    const { MessageId } = await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: { kind: { DataType: 'String', StringValue: 'report' } } }),
    );
    return MessageId ?? '';
  };
  const same = (message: Message | undefined) => ({
    MessageId: message?.MessageId,
    Body: message?.Body,
    MessageAttributes: message?.MessageAttributes,
    SentTimestamp: message?.Attributes?.SentTimestamp,
    ApproximateReceiveCount: message?.Attributes?.ApproximateReceiveCount,
  });

  beforeAll(async () => {
    sqs = await EmbeddedSqs.start({
      queues: QUEUES.map((logicalId) => ({ logicalId, name: logicalId, visibilityTimeoutSeconds: 30, delaySeconds: 0 })),
      namePrefix: 'ws-notify-dup-',
    });
    client = new SQSClient(sqs.clientConfig);
  });

  afterEach(() => sqs.duplicates.set(undefined));

  afterAll(async () => {
    client.destroy();
    await sqs.close();
  });

  it('delivers a concurrent copy while the first is still in flight, with the same id, body, attributes and sent time', async () => {
    // Prepare
    useQueue('Concurrent');
    sqs.duplicates.set({ rate: 1, timing: 'concurrent' });
    const counted = sqs.duplicates.counts();
    const messageId = await send('concurrent');

    // Act: the copy is received while the first is still in flight (neither is deleted).
    const [first] = await source.receive(RECEIVE);
    const [copy] = await source.receive(RECEIVE);
    const bothInFlight = await depth();

    // Assess
    expect(bothInFlight).toEqual({ visible: 0, inFlight: 2 });
    expect(same(first)).toEqual({ MessageId: messageId, Body: 'concurrent', MessageAttributes: { kind: { DataType: 'String', StringValue: 'report' } }, SentTimestamp: expect.any(String) as unknown, ApproximateReceiveCount: '1' });
    expect(same(copy)).toEqual(same(first));
    expect(copy?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
    expect(sqs.duplicates.counts()).toEqual({ drawn: counted.drawn + 1, concurrent: counted.concurrent + 1, later: counted.later });

    // Both copies are deleted like any message, and no third copy comes.
    expect(await source.deleteBatch([first?.ReceiptHandle ?? '', copy?.ReceiptHandle ?? ''])).toEqual([]);
    expect(await depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('delivers a later copy only once the first copy was deleted', async () => {
    // Prepare
    useQueue('Later');
    sqs.duplicates.set({ rate: 1, timing: 'later' });
    const messageId = await send('later');

    // Act: while the first copy is in flight, the queue holds nothing else; once it is deleted, the copy comes.
    const [first] = await source.receive(RECEIVE);
    const beforeDelete = await depth();
    await source.deleteBatch([first?.ReceiptHandle ?? '']);
    const [copy] = await source.receive(RECEIVE);
    const afterCopy = await depth();

    // Assess
    expect(beforeDelete).toEqual({ visible: 0, inFlight: 1 });
    expect(afterCopy).toEqual({ visible: 0, inFlight: 1 });
    expect(same(copy)).toEqual({ ...same(first), MessageId: messageId });
    expect(await source.deleteBatch([copy?.ReceiptHandle ?? ''])).toEqual([]);
    expect(await depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('never duplicates what the application itself receives, nor anything at rate 0', async () => {
    // Prepare
    useQueue('Application');
    sqs.duplicates.set({ rate: 1 });
    const counted = sqs.duplicates.counts();
    await send('received by the application');

    // Act: the application's own ReceiveMessage.
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }));
    const afterApplicationReceive = await depth();
    sqs.duplicates.set({ rate: 0 });
    await send('at rate 0');
    const [viaMapping] = await source.receive(RECEIVE);
    const afterMappingReceive = await depth();

    // Assess
    expect(Messages.map((message) => message.Body)).toEqual(['received by the application']);
    expect(afterApplicationReceive).toEqual({ visible: 0, inFlight: 1 });
    expect(viaMapping?.Body).toBe('at rate 0');
    expect(afterMappingReceive).toEqual({ visible: 0, inFlight: 2 });
    expect(sqs.duplicates.counts()).toEqual({ ...counted, drawn: counted.drawn + 1 });
    await source.deleteBatch([Messages[0]?.ReceiptHandle ?? '', viaMapping?.ReceiptHandle ?? '']);
  });
});
