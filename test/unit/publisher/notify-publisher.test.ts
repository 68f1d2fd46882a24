import { SendMessageBatchCommand, SendMessageCommand, SQSClient, SQSServiceException, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidNotificationError, NotifyBatchError, NotifyPublisher, NotifySendError } from '../../../src/publisher';

const sqs = mockClient(SQSClient);
const NOTIFY_USER_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ws-notify-test-NotifyUser';
const NOTIFY_CONNECTION_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ws-notify-test-NotifyConnection';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function publisher(options: { maxBatchAttempts?: number; batchConcurrency?: number; retryBaseDelayMs?: number } = {}): NotifyPublisher {
  return new NotifyPublisher({
    sqsClient: new SQSClient({ region: 'eu-west-1' }),
    notifyUserQueueUrl: NOTIFY_USER_QUEUE_URL,
    notifyConnectionQueueUrl: NOTIFY_CONNECTION_QUEUE_URL,
    ...options,
  });
}

/** The parsed body of every entry of every SendMessageBatch request, by request. */
function batchBodies(): { id: string; body: { userId: string; data: unknown; id: string } }[][] {
  return sqs.commandCalls(SendMessageBatchCommand).map((call) =>
    (call.args[0].input.Entries ?? []).map((entry) => ({ id: entry.Id ?? '', body: JSON.parse(entry.MessageBody ?? '') as { userId: string; data: unknown; id: string } })),
  );
}

/** Answers every entry of a request as sent, with message id `m-<entry id>`. */
function acceptAll(input: SendMessageBatchCommandInput) {
  return { Successful: (input.Entries ?? []).map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}`, MD5OfMessageBody: '' })), Failed: [] };
}

/** Answers a request, failing the entries listed with that code, accepting the others. */
function failEntries(failures: Record<string, { code: string; senderFault: boolean }>) {
  return (input: SendMessageBatchCommandInput) => {
    const entries = input.Entries ?? [];
    return {
      Successful: entries.filter((entry) => failures[entry.Id ?? ''] === undefined).map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}`, MD5OfMessageBody: '' })),
      Failed: entries
        .filter((entry) => failures[entry.Id ?? ''] !== undefined)
        .map((entry) => ({ Id: entry.Id, Code: failures[entry.Id ?? '']?.code, SenderFault: failures[entry.Id ?? '']?.senderFault, Message: 'as told' })),
    };
  };
}

const users = (count: number) => Array.from({ length: count }, (_, index) => ({ userId: `user-${index}`, data: { n: index } }));

describe('Class: NotifyPublisher', () => {
  afterEach(() => {
    sqs.reset();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('Constructor', () => {
    it.each([
      ['a missing notifyUserQueueUrl', { notifyConnectionQueueUrl: NOTIFY_CONNECTION_QUEUE_URL }, /notifyUserQueueUrl must be a queue URL/],
      ['a notifyConnectionQueueUrl that is not a URL', { notifyUserQueueUrl: NOTIFY_USER_QUEUE_URL, notifyConnectionQueueUrl: 'NotifyConnection' }, /notifyConnectionQueueUrl must be a queue URL/],
      ['maxBatchAttempts 0', { notifyUserQueueUrl: NOTIFY_USER_QUEUE_URL, notifyConnectionQueueUrl: NOTIFY_CONNECTION_QUEUE_URL, maxBatchAttempts: 0 }, /maxBatchAttempts must be a whole number of at least 1/],
      ['a fractional batchConcurrency', { notifyUserQueueUrl: NOTIFY_USER_QUEUE_URL, notifyConnectionQueueUrl: NOTIFY_CONNECTION_QUEUE_URL, batchConcurrency: 1.5 }, /batchConcurrency must be a whole number/],
    ])('refuses %s with a TypeError', (_label, options, message) => {
      expect(() => new NotifyPublisher(options as ConstructorParameters<typeof NotifyPublisher>[0])).toThrow(TypeError);
      expect(() => new NotifyPublisher(options as ConstructorParameters<typeof NotifyPublisher>[0])).toThrow(message);
    });

    it('takes NotifyUser alone, for a function granted NotifyUser only, and then refuses notifyConnection with a TypeError, sending nothing', async () => {
      // Prepare
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      const userOnly = new NotifyPublisher({ sqsClient: new SQSClient({ region: 'eu-west-1' }), notifyUserQueueUrl: NOTIFY_USER_QUEUE_URL });

      // Act
      const sent = await userOnly.notifyUser('1234', { download: '/reports/42' }, { id: 'report-ready-42' });
      const refused = await userOnly.notifyConnection('XfGLwdrQtjMCJvw=', 'hello').catch((reason: unknown) => reason);

      // Assess
      expect(sent).toEqual({ id: 'report-ready-42', messageId: 'm-1' });
      expect(userOnly.notifyConnectionQueueUrl).toBeUndefined();
      expect(refused).toBeInstanceOf(TypeError);
      expect((refused as TypeError).message).toBe('NotifyPublisher: notifyConnection needs the notifyConnectionQueueUrl option, which this publisher was made without');
      expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.QueueUrl)).toEqual([NOTIFY_USER_QUEUE_URL]);
    });
  });

  describe('Method: notifyUser', () => {
    it('sends the body to NotifyUser with a UUID made before the first try, and returns it with the message id', async () => {
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

      const result = await publisher().notifyUser('1234', { download: '/reports/42' });

      expect(result).toEqual({ id: expect.stringMatching(UUID) as string, messageId: 'm-1' });
      const calls = sqs.commandCalls(SendMessageCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.args[0].input.QueueUrl).toBe(NOTIFY_USER_QUEUE_URL);
      expect(JSON.parse(calls[0]?.args[0].input.MessageBody ?? '')).toEqual({ userId: '1234', data: { download: '/reports/42' }, id: result.id });
    });

    it('sends the id given', async () => {
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

      const result = await publisher().notifyUser('1234', 'ready', { id: 'report-42' });

      expect(result).toEqual({ id: 'report-42', messageId: 'm-1' });
      expect(JSON.parse(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody ?? '')).toEqual({ userId: '1234', data: 'ready', id: 'report-42' });
    });

    it('refuses a notification over the WebSocket limit before sending anything', async () => {
      const error = await publisher()
        .notifyUser('1234', 'x'.repeat(131_072))
        .catch((reason: unknown) => reason);

      expect(error).toBeInstanceOf(InvalidNotificationError);
      expect(error).toMatchObject({ name: 'InvalidNotificationError', code: 'notification_too_large', frameBytes: expect.any(Number) as number });
      expect(sqs.calls()).toHaveLength(0);
    });

    it('refuses a bad user id before sending anything', async () => {
      const error = await publisher()
        .notifyUser('', 1)
        .catch((reason: unknown) => reason);

      expect(error).toMatchObject({ code: 'invalid_user_id' });
      expect(sqs.calls()).toHaveLength(0);
    });

    it('rejects with NotifySendError carrying the id sent; sending again with it repeats the same notification', async () => {
      // Prepare: the first SendMessage fails (after the SDK's own retries), the second succeeds.
      const throttled = new SQSServiceException({ name: 'RequestThrottled', $fault: 'client', $metadata: {}, message: 'slow down' });
      sqs.on(SendMessageCommand).rejectsOnce(throttled).resolves({ MessageId: 'm-2' });
      const sender = publisher();

      // Act
      const error = await sender.notifyUser('1234', 'ready').catch((reason: unknown) => reason);
      const retried = error instanceof NotifySendError ? await sender.notifyUser('1234', 'ready', { id: error.id }) : undefined;

      // Assess
      expect(error).toBeInstanceOf(NotifySendError);
      const sendError = error as NotifySendError;
      expect(sendError).toMatchObject({ name: 'NotifySendError', code: 'send_failed', queueUrl: NOTIFY_USER_QUEUE_URL, cause: throttled });
      expect(sendError.message).toBe(`SendMessage to ${NOTIFY_USER_QUEUE_URL} failed for notification ${sendError.id} (RequestThrottled: slow down)`);
      const bodies = sqs.commandCalls(SendMessageCommand).map((call) => JSON.parse(call.args[0].input.MessageBody ?? '') as { id: string });
      expect(bodies.map((body) => body.id)).toEqual([sendError.id, sendError.id]);
      expect(retried).toEqual({ id: sendError.id, messageId: 'm-2' });
    });
  });

  describe('Method: notifyConnection', () => {
    it('sends the body to NotifyConnection', async () => {
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });

      const result = await publisher().notifyConnection('XfGLwdrQtjMCJvw=', 'hello', { id: 'n-7' });

      expect(result).toEqual({ id: 'n-7', messageId: 'm-1' });
      const input = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
      expect(input?.QueueUrl).toBe(NOTIFY_CONNECTION_QUEUE_URL);
      expect(JSON.parse(input?.MessageBody ?? '')).toEqual({ connectionId: 'XfGLwdrQtjMCJvw=', data: 'hello', id: 'n-7' });
    });

    it('refuses a bad connection id before sending anything', async () => {
      const error = await publisher()
        .notifyConnection('c'.repeat(129), 1)
        .catch((reason: unknown) => reason);

      expect(error).toMatchObject({ code: 'invalid_connection_id' });
      expect(sqs.calls()).toHaveLength(0);
    });
  });

  describe('Method: notifyUsers', () => {
    it('sends 25 notifications to NotifyUser as batches of 10, 10 and 5, and returns ids and message ids in order', async () => {
      sqs.on(SendMessageBatchCommand).callsFake(acceptAll);
      const notifications = users(25);
      notifications[3] = { ...notifications[3]!, id: 'given-3' } as (typeof notifications)[number];

      const results = await publisher().notifyUsers(notifications);

      const requests = batchBodies();
      expect(requests.map((entries) => entries.length)).toEqual([10, 10, 5]);
      expect(sqs.commandCalls(SendMessageBatchCommand).every((call) => call.args[0].input.QueueUrl === NOTIFY_USER_QUEUE_URL)).toBe(true);
      const entries = requests.flat();
      expect(entries.map((entry) => entry.body.userId)).toEqual(notifications.map((notification) => notification.userId));
      expect(entries.map((entry) => entry.body.data)).toEqual(notifications.map((notification) => notification.data));
      expect(results).toEqual(entries.map((entry) => ({ id: entry.body.id, messageId: `m-${entry.id}` })));
      expect(results[3]?.id).toBe('given-3');
      expect(results.filter((_result, index) => index !== 3).every((result) => UUID.test(result.id))).toBe(true);
      expect(new Set(results.map((result) => result.id)).size).toBe(25);
    });

    it('returns an empty array for no notifications, without a request', async () => {
      await expect(publisher().notifyUsers([])).resolves.toEqual([]);
      expect(sqs.calls()).toHaveLength(0);
    });

    it('retries only the entries SQS failed on its side, with the ids of the first try', async () => {
      // Prepare: entries 1 and 3 fail once with a server fault, then succeed.
      jest.useFakeTimers();
      sqs
        .on(SendMessageBatchCommand)
        .callsFakeOnce(failEntries({ '1': { code: 'InternalError', senderFault: false }, '3': { code: 'InternalError', senderFault: false } }))
        .callsFake(acceptAll);

      // Act
      const sending = publisher().notifyUsers(users(5));
      await jest.runAllTimersAsync();
      const results = await sending;

      // Assess
      const [first, second] = batchBodies();
      expect(batchBodies()).toHaveLength(2);
      expect(second).toEqual([first?.[1], first?.[3]]);
      expect(results.map((result) => result.id)).toEqual(first?.map((entry) => entry.body.id));
      expect(results.map((result) => result.messageId)).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
    });

    it('waits a backoff before a retry (full jitter below 100 ms, then below 200 ms)', async () => {
      jest.useFakeTimers();
      jest.spyOn(Math, 'random').mockReturnValue(0.5);
      sqs.on(SendMessageBatchCommand).callsFakeOnce(failEntries({ '0': { code: 'ServiceUnavailable', senderFault: false } })).callsFakeOnce(failEntries({ '0': { code: 'ServiceUnavailable', senderFault: false } })).callsFake(acceptAll);

      const sending = publisher().notifyUsers(users(1));
      await jest.advanceTimersByTimeAsync(49);
      const beforeFirstDelay = sqs.commandCalls(SendMessageBatchCommand).length;
      await jest.advanceTimersByTimeAsync(1);
      const afterFirstDelay = sqs.commandCalls(SendMessageBatchCommand).length;
      await jest.advanceTimersByTimeAsync(99);
      const beforeSecondDelay = sqs.commandCalls(SendMessageBatchCommand).length;
      await jest.advanceTimersByTimeAsync(1);
      const results = await sending;

      expect([beforeFirstDelay, afterFirstDelay, beforeSecondDelay]).toEqual([1, 2, 2]);
      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
      expect(results).toEqual([{ id: expect.stringMatching(UUID) as string, messageId: 'm-0' }]);
    });

    it('does not retry entries SQS blames on the sender, and says which failed and why', async () => {
      sqs.on(SendMessageBatchCommand).callsFake(failEntries({ '1': { code: 'InvalidMessageContents', senderFault: true } }));

      const error = await publisher()
        .notifyUsers(users(3))
        .catch((reason: unknown) => reason);

      expect(error).toBeInstanceOf(NotifyBatchError);
      const batchError = error as NotifyBatchError;
      const [request] = batchBodies();
      expect(batchBodies()).toHaveLength(1);
      expect(batchError).toMatchObject({ name: 'NotifyBatchError', code: 'batch_send_failed' });
      expect(batchError.failed).toEqual([
        { index: 1, userId: 'user-1', id: request?.[1]?.body.id, code: 'InvalidMessageContents', message: 'as told', senderFault: true, attempts: 1 },
      ]);
      expect(batchError.sent).toEqual([
        { index: 0, userId: 'user-0', id: request?.[0]?.body.id, messageId: 'm-0' },
        { index: 2, userId: 'user-2', id: request?.[2]?.body.id, messageId: 'm-2' },
      ]);
      expect(batchError.message).toBe('1 of 3 notifications were not sent: #1 (user "user-1"): InvalidMessageContents after 1 attempt');
    });

    it('retries a sender fault and a server fault of one request differently: only the server fault again', async () => {
      jest.useFakeTimers();
      sqs
        .on(SendMessageBatchCommand)
        .callsFakeOnce(failEntries({ '0': { code: 'InvalidMessageContents', senderFault: true }, '2': { code: 'InternalError', senderFault: false } }))
        .callsFake(acceptAll);

      const sending = publisher()
        .notifyUsers(users(3))
        .catch((reason: unknown) => reason);
      await jest.runAllTimersAsync();
      const error = (await sending) as NotifyBatchError;

      expect(batchBodies().map((entries) => entries.map((entry) => entry.id))).toEqual([['0', '1', '2'], ['2']]);
      expect(error.failed.map((entry) => [entry.index, entry.code])).toEqual([[0, 'InvalidMessageContents']]);
      expect(error.sent.map((entry) => entry.index)).toEqual([1, 2]);
    });

    it('gives up on an entry after maxBatchAttempts requests and reports its last failure', async () => {
      jest.useFakeTimers();
      sqs.on(SendMessageBatchCommand).callsFake(failEntries({ '0': { code: 'ServiceUnavailable', senderFault: false } }));

      const sending = publisher({ maxBatchAttempts: 3 })
        .notifyUsers(users(2))
        .catch((reason: unknown) => reason);
      await jest.runAllTimersAsync();
      const error = (await sending) as NotifyBatchError;

      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
      expect(new Set(batchBodies().map((entries) => entries[0]?.body.id)).size).toBe(1);
      expect(error.failed).toEqual([expect.objectContaining({ index: 0, code: 'ServiceUnavailable', senderFault: false, attempts: 3 })]);
      expect(error.message).toBe('1 of 2 notifications were not sent: #0 (user "user-0"): ServiceUnavailable after 3 attempts');
    });

    it('sends again, with its id, an entry the answer does not mention', async () => {
      jest.useFakeTimers();
      sqs
        .on(SendMessageBatchCommand)
        .resolvesOnce({ Successful: [{ Id: '0', MessageId: 'm-0', MD5OfMessageBody: '' }], Failed: [] })
        .callsFake(acceptAll);

      const sending = publisher().notifyUsers(users(2));
      await jest.runAllTimersAsync();
      const results = await sending;

      expect(batchBodies().map((entries) => entries.map((entry) => entry.id))).toEqual([['0', '1'], ['1']]);
      expect(batchBodies()[1]?.[0]?.body.id).toBe(results[1]?.id);
    });

    it('reports every entry of a request that failed as a whole, leaving the retries to the SQS client', async () => {
      sqs.on(SendMessageBatchCommand).rejects(new SQSServiceException({ name: 'QueueDoesNotExist', $fault: 'client', $metadata: {}, message: 'no such queue' }));

      const error = (await publisher()
        .notifyUsers(users(12))
        .catch((reason: unknown) => reason)) as NotifyBatchError;

      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
      expect(error.sent).toEqual([]);
      expect(error.failed).toHaveLength(12);
      expect(error.failed[11]).toEqual(expect.objectContaining({ index: 11, userId: 'user-11', code: 'QueueDoesNotExist', message: 'no such queue', attempts: 1 }));
      expect(error.message).toMatch(/^12 of 12 notifications were not sent: #0 .*#2 \(user "user-2"\): QueueDoesNotExist after 1 attempt, and 9 more$/);
    });

    it('keeps at most batchConcurrency requests in flight', async () => {
      let inFlight = 0;
      let peak = 0;
      sqs.on(SendMessageBatchCommand).callsFake(async (input: SendMessageBatchCommandInput) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return acceptAll(input);
      });

      const results = await publisher({ batchConcurrency: 3 }).notifyUsers(users(95));

      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(10);
      expect(peak).toBe(3);
      expect(results).toHaveLength(95);
    });

    it('checks every entry before sending any, and names the refused one', async () => {
      const notifications = [...users(3), { userId: 'user-3', data: 'x'.repeat(140_000) }];

      const error = await publisher()
        .notifyUsers(notifications)
        .catch((reason: unknown) => reason);

      expect(error).toBeInstanceOf(InvalidNotificationError);
      expect(error).toMatchObject({ code: 'notification_too_large', entryIndex: 3, message: expect.stringMatching(/^notifications\[3\]: the notification would be/) as string });
      expect(sqs.calls()).toHaveLength(0);
    });
  });

  describe('Method: destroy', () => {
    it('leaves an injected client to its owner', () => {
      const client = new SQSClient({ region: 'eu-west-1' });
      const destroy = jest.spyOn(client, 'destroy');

      new NotifyPublisher({ sqsClient: client, notifyUserQueueUrl: NOTIFY_USER_QUEUE_URL, notifyConnectionQueueUrl: NOTIFY_CONNECTION_QUEUE_URL }).destroy();

      expect(destroy).not.toHaveBeenCalled();
    });

    it('destroys the client it created, in the region of the queue URL', async () => {
      const destroy = jest.spyOn(SQSClient.prototype, 'destroy');
      sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
      const own = new NotifyPublisher({ notifyUserQueueUrl: NOTIFY_USER_QUEUE_URL, notifyConnectionQueueUrl: NOTIFY_CONNECTION_QUEUE_URL });

      await own.notifyUser('1234', 1);
      own.destroy();

      const client = sqs.call(0).thisValue as SQSClient;
      await expect(client.config.region()).resolves.toBe('eu-west-1');
      expect(destroy).toHaveBeenCalledTimes(1);
      expect(destroy.mock.contexts[0]).toBe(client);
    });
  });
});
