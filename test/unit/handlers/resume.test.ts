import { ForbiddenException, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { handleResume, type ResumeDependencies } from '../../../src/handlers/resume';
import { connectionStore, dynamo, gatewayClient, management, NO_SIDE_EFFECTS, replyOf, resetMocks, sideEffectCalls, TABLE_NAME } from '../helpers/aws';
import { dataText } from '../helpers/data';
import { CONNECTION_ID, messageEvent } from '../helpers/events';
import { givenInbox, INBOX_RETENTION_SECONDS, inboxStore, INBOX_TABLE_NAME, READ_AFTER_QUERY, type InboxContents, type StoredItem } from '../helpers/inbox';
import { captureLogs, silentLogger } from '../helpers/logs';
import { counts, testMetrics } from '../helpers/metrics';
import { authorizedRecord, item, pendingRecord } from '../helpers/records';

const NOW = Date.UTC(2025, 11, 13, 10, 30);
const NOW_S = NOW / 1000;
const USER = '1234';
const RECENTLY = NOW - 60_000;

function deps(overrides: Partial<ResumeDependencies> = {}): ResumeDependencies {
  return { connections: connectionStore(), inbox: inboxStore(), gateway: gatewayClient(), logger: silentLogger(), metrics: testMetrics(), clock: () => NOW, ...overrides };
}

const resume = (body: string, overrides: Partial<ResumeDependencies> = {}) => handleResume(messageEvent(body, { routeKey: 'resume' }), deps(overrides));

/** The connection's record (absent when undefined). */
function givenConnection(record: ReturnType<typeof authorizedRecord> | undefined): void {
  dynamo.on(GetItemCommand, { TableName: TABLE_NAME }).resolves(record === undefined ? {} : { Item: item(record) });
}

const authorized = () => authorizedRecord(CONNECTION_ID, { userId: USER, expiresAt: NOW_S + 600 });

/** The inbox of the connection's user. */
function given(contents: InboxContents): void {
  givenConnection(authorized());
  givenInbox({ userId: USER, ...contents });
}

const stored = (seq: number, overrides: Partial<StoredItem> = {}): StoredItem => ({ seq, id: `n-${seq}`, data: `{"n":${seq}}`, storedAt: RECENTLY, ...overrides });

/** The texts posted through the Management API, in order. */
const posted = (): string[] => management.commandCalls(PostToConnectionCommand).map((call) => dataText(call.args[0].input.Data));
const inboxReads = () => dynamo.calls().filter((call) => (call.args[0].input as { TableName?: string }).TableName === INBOX_TABLE_NAME);

describe('Function: handleResume', () => {
  beforeEach(() => {
    management.on(PostToConnectionCommand).resolves({});
  });

  afterEach(() => {
    resetMocks();
  });

  describe('the state is checked first', () => {
    it.each([
      ['absent', 'unauthorized', undefined],
      ['pending', 'unauthorized', pendingRecord(CONNECTION_ID, NOW)],
      ['expired', 'token_expired', authorizedRecord(CONNECTION_ID, { userId: USER, expiresAt: NOW_S })],
    ])('answers a connection that is %s with %s only, whatever it sent, and nothing else happens', async (_label, code, record) => {
      for (const body of ['{"action":"resume","after":0}', '{"action":"resume","after":-1}', 'not json']) {
        // Prepare
        resetMocks();
        givenConnection(record);
        givenInbox({ latest: 5, notifications: [stored(5)] });

        // Act
        const reply = replyOf(await resume(body));

        // Assess
        expect(reply).toEqual(expect.objectContaining({ type: 'error', code }));
        expect(inboxReads()).toHaveLength(0);
        expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
      }
    });
  });

  describe('after must be an integer ≥ 0', () => {
    it.each([
      ['missing', '{"action":"resume"}'],
      ['negative', '{"action":"resume","after":-1}'],
      ['fractional', '{"action":"resume","after":1.5}'],
      ['a numeric string', '{"action":"resume","after":"5"}'],
      ['null', '{"action":"resume","after":null}'],
      ['beyond the largest safe integer', '{"action":"resume","after":9007199254740992}'],
    ])('answers bad_request when after is %s, and reads no inbox', async (_label, body) => {
      given({ latest: 5, notifications: [stored(5)] });

      const reply = replyOf(await resume(body));

      expect(reply).toEqual({ type: 'error', code: 'bad_request', message: 'after must be an integer of 0 or more: the highest seq this client holds, or 0.' });
      expect(inboxReads()).toHaveLength(0);
      expect(posted()).toEqual([]);
    });

    it.each([
      ['not JSON', '{"action":"resume",', 'The message is not valid JSON.'],
      ['not an object', '[1]', 'The message must be a JSON object.'],
    ])('answers bad_request for a message that is %s', async (_label, body, message) => {
      given({ latest: 5 });

      expect(replyOf(await resume(body))).toEqual({ type: 'error', code: 'bad_request', message });
      expect(inboxReads()).toHaveLength(0);
    });
  });

  describe('replay', () => {
    it('posts the notifications after the cursor in ascending seq, replayed, one at a time, then answers resumed', async () => {
      // Prepare: posts that track how many are in flight.
      given({ latest: 7, notifications: [stored(5), stored(6, { id: 'report-42', data: '{"download":"/reports/42"}' }), stored(7)] });
      let inFlight = 0;
      let mostInFlight = 0;
      management.on(PostToConnectionCommand).callsFake(async () => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await Promise.resolve();
        inFlight -= 1;
        return {};
      });

      // Act
      const result = await resume('{"action":"resume","after":4}');

      // Assess
      expect(posted()).toEqual([
        '{"type":"notification","id":"n-5","seq":5,"data":{"n":5},"replayed":true}',
        '{"type":"notification","id":"report-42","seq":6,"data":{"download":"/reports/42"},"replayed":true}',
        '{"type":"notification","id":"n-7","seq":7,"data":{"n":7},"replayed":true}',
      ]);
      expect(management.commandCalls(PostToConnectionCommand).every((call) => call.args[0].input.ConnectionId === CONNECTION_ID)).toBe(true);
      expect(mostInFlight).toBe(1);
      expect(result).toEqual({ statusCode: 200, body: '{"type":"resumed","after":4,"latest":7,"count":3,"more":false,"truncated":false}' });
    });

    it('counts each notification posted in NotificationsReplayed', async () => {
      // Prepare
      given({ latest: 7, notifications: [stored(5), stored(6), stored(7)] });
      const metrics = testMetrics();

      // Act
      await resume('{"action":"resume","after":4}', { metrics });

      // Assess
      expect(counts(metrics)).toEqual({ NotificationsReplayed: 3 });
    });

    it('counts only the posts that reached the connection when it is gone while replaying', async () => {
      // Prepare
      given({ latest: 3, notifications: [stored(1), stored(2), stored(3)] });
      management
        .on(PostToConnectionCommand)
        .resolvesOnce({})
        .rejects(new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }));
      const metrics = testMetrics();

      // Act
      await resume('{"action":"resume","after":0}', { metrics });

      // Assess
      expect(counts(metrics)).toEqual({ NotificationsReplayed: 1 });
    });

    it('counts nothing for a connection that may not resume', async () => {
      // Prepare
      givenConnection(undefined);
      const metrics = testMetrics();

      // Act
      await resume('{"action":"resume","after":0}', { metrics });

      // Assess
      expect(metrics.hasStoredMetrics()).toBe(false);
    });

    it('reads the inbox of the connection’s user, after the cursor', async () => {
      given({ latest: 0 });

      await resume('{"action":"resume","after":41}');

      const read = dynamo.commandCalls(QueryCommand).find((call) => call.args[0].input.KeyConditionExpression === READ_AFTER_QUERY);
      expect(read?.args[0].input.ExpressionAttributeValues).toEqual(
        expect.objectContaining({ ':userId': { S: USER }, ':from': { S: 'n#0000000000000042' } }),
      );
    });

    it('answers an empty inbox with latest 0, count 0, more false, truncated false', async () => {
      given({});

      const reply = replyOf(await resume('{"action":"resume","after":0}'));

      expect(reply).toEqual({ type: 'resumed', after: 0, latest: 0, count: 0, more: false, truncated: false });
      expect(posted()).toEqual([]);
    });

    it('answers a client that holds everything with count 0 and nothing truncated', async () => {
      given({ latest: 9 });

      expect(replyOf(await resume('{"action":"resume","after":9}'))).toEqual({ type: 'resumed', after: 9, latest: 9, count: 0, more: false, truncated: false });
    });

    it('replays at most 100 and says more remain when there are 101', async () => {
      // Prepare
      given({ latest: 101, notifications: Array.from({ length: 101 }, (_, index) => stored(index + 1)) });

      // Act
      const reply = replyOf(await resume('{"action":"resume","after":0}'));

      // Assess
      expect(posted()).toHaveLength(100);
      expect(posted()[99]).toBe('{"type":"notification","id":"n-100","seq":100,"data":{"n":100},"replayed":true}');
      expect(reply).toEqual({ type: 'resumed', after: 0, latest: 101, count: 100, more: true, truncated: false });
    });

    it('says no more remain when exactly 100 are left', async () => {
      given({ latest: 100, notifications: Array.from({ length: 100 }, (_, index) => stored(index + 1)) });

      expect(replyOf(await resume('{"action":"resume","after":0}'))).toEqual({ type: 'resumed', after: 0, latest: 100, count: 100, more: false, truncated: false });
    });

    it('never replays a notification past its retention or a tombstone, and says the resume is truncated', async () => {
      // Prepare: 3 is past retention (DynamoDB has not deleted it yet), 4 a tombstone, 5 live.
      given({
        latest: 5,
        notifications: [stored(3, { storedAt: NOW - INBOX_RETENTION_SECONDS * 1000 }), stored(4, { tombstone: true }), stored(5)],
      });

      // Act
      const reply = replyOf(await resume('{"action":"resume","after":2}'));

      // Assess
      expect(posted()).toEqual(['{"type":"notification","id":"n-5","seq":5,"data":{"n":5},"replayed":true}']);
      expect(reply).toEqual({ type: 'resumed', after: 2, latest: 5, count: 1, more: false, truncated: true });
    });

    it('says the resume is truncated when everything after the cursor has passed its retention', async () => {
      given({ latest: 8, notifications: [stored(7, { storedAt: NOW - INBOX_RETENTION_SECONDS * 1000 - 1 }), stored(8, { storedAt: NOW - INBOX_RETENTION_SECONDS * 1000 - 1 })] });

      expect(replyOf(await resume('{"action":"resume","after":6}'))).toEqual({ type: 'resumed', after: 6, latest: 8, count: 0, more: false, truncated: true });
      expect(posted()).toEqual([]);
    });

    it('stops without a reply when the connection is gone (410) while replaying', async () => {
      // Prepare
      given({ latest: 3, notifications: [stored(1), stored(2), stored(3)] });
      management
        .on(PostToConnectionCommand)
        .resolvesOnce({})
        .rejects(new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }));
      const logs = captureLogs();

      try {
        // Act
        const result = await resume('{"action":"resume","after":0}', { logger: logs.logger });

        // Assess
        expect(result).toEqual({ statusCode: 200 });
        expect(management.commandCalls(PostToConnectionCommand)).toHaveLength(2);
        expect(logs.entries()).toEqual([expect.objectContaining({ message: 'Resume stopped: the connection is gone', connectionId: CONNECTION_ID, seq: 2 })]);
      } finally {
        logs.restore();
      }
    });

    it('answers internal_error when a post fails otherwise (the client resumes again from what it received)', async () => {
      given({ latest: 3, notifications: [stored(1), stored(2), stored(3)] });
      management.on(PostToConnectionCommand).resolvesOnce({}).rejects(new ForbiddenException({ message: 'Forbidden', $metadata: {} }));

      expect(replyOf(await resume('{"action":"resume","after":0}'))).toEqual({ type: 'error', code: 'internal_error', message: 'Internal error: try again later.' });
      expect(management.commandCalls(PostToConnectionCommand)).toHaveLength(2);
    });

    it('answers internal_error when the inbox cannot be read, and posts nothing', async () => {
      given({ latest: 3 });
      dynamo.on(QueryCommand, { TableName: INBOX_TABLE_NAME, KeyConditionExpression: READ_AFTER_QUERY }).rejects(new Error('down'));

      expect(replyOf(await resume('{"action":"resume","after":0}'))).toEqual(expect.objectContaining({ code: 'internal_error' }));
      expect(posted()).toEqual([]);
    });

    it('logs what it replayed', async () => {
      given({ latest: 2, notifications: [stored(2)] });
      const logs = captureLogs();

      try {
        await resume('{"action":"resume","after":1}', { logger: logs.logger });

        expect(logs.entries()).toEqual([
          expect.objectContaining({ message: 'Resumed', connectionId: CONNECTION_ID, userId: USER, after: 1, latest: 2, count: 1, more: false, truncated: false }),
        ]);
      } finally {
        logs.restore();
      }
    });
  });
});
