import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { handlePing, type PingDependencies } from '../../../src/handlers/ping';
import { connectionStore, dynamo, NO_SIDE_EFFECTS, replyOf, resetMocks, sideEffectCalls } from '../helpers/aws';
import { CONNECTION_ID, messageEvent } from '../helpers/events';
import { silentLogger } from '../helpers/logs';
import { authorizedRecord, item, pendingRecord } from '../helpers/records';
import { anyString } from '../helpers/matchers';

const NOW = Date.UTC(2025, 11, 13, 10, 30);
const deps = (): PingDependencies => ({ connections: connectionStore(), logger: silentLogger(), clock: () => NOW });
const ping = (body: string | undefined) => handlePing(messageEvent(body), deps());

function givenAuthorized(expiresAt = Math.floor(NOW / 1000) + 600): void {
  dynamo.on(GetItemCommand).resolves({ Item: item(authorizedRecord(CONNECTION_ID, { expiresAt, connectedAt: NOW - 1000 })) });
}

describe('Function: handlePing', () => {
  afterEach(() => {
    resetMocks();
  });

  describe('on an authorized connection', () => {
    beforeEach(() => {
      givenAuthorized();
    });

    it('answers pong with the name and the connection id', async () => {
      expect(replyOf(await ping('{"action":"ping","name":"Stepan"}'))).toEqual({ type: 'pong', name: 'Stepan', connectionId: CONNECTION_ID });
    });

    it('omits name when none is given and ignores other fields', async () => {
      const result = await ping('{"action":"ping","extra":{"a":[1,2]}}');

      expect(result.body).toBe(`{"type":"pong","connectionId":"${CONNECTION_ID}"}`);
    });

    it('reads the state strongly consistently and writes nothing', async () => {
      await ping('{"action":"ping"}');

      expect(dynamo.commandCalls(GetItemCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
      expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
    });

    it.each([
      ['an empty name', '{"action":"ping","name":""}'],
      ['a 101-character name', JSON.stringify({ action: 'ping', name: 'n'.repeat(101) })],
      ['a numeric name', '{"action":"ping","name":42}'],
      ['a null name', '{"action":"ping","name":null}'],
    ])('answers bad_request for %s', async (_label, body) => {
      expect(replyOf(await ping(body))).toEqual({ type: 'error', code: 'bad_request', message: 'name must be a string of 1 to 100 characters.' });
    });

    it.each([
      ['not JSON', '{"action":"ping"', 'The message is not valid JSON.'],
      ['a JSON array', '["ping"]', 'The message must be a JSON object.'],
      ['no body', undefined, 'The message is not valid JSON.'],
    ])('answers bad_request for a message that is %s', async (_label, body, message) => {
      expect(replyOf(await ping(body))).toEqual({ type: 'error', code: 'bad_request', message });
    });

    it('accepts a name of exactly 100 characters', async () => {
      expect(replyOf(await ping(JSON.stringify({ action: 'ping', name: 'n'.repeat(100) })))).toEqual(
        expect.objectContaining({ type: 'pong', name: 'n'.repeat(100) }),
      );
    });
  });

  describe('on a connection that may not act (state is checked first)', () => {
    it.each([
      ['absent', undefined],
      ['pending', pendingRecord(CONNECTION_ID, NOW)],
    ])('answers unauthorized when the record is %s, and does nothing else', async (_label, record) => {
      dynamo.on(GetItemCommand).resolves(record === undefined ? {} : { Item: item(record) });

      const reply = replyOf(await ping('{"action":"ping","name":"Stepan"}'));

      expect(reply).toEqual({ type: 'error', code: 'unauthorized', message: anyString() });
      expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
    });

    it('answers token_expired once the token has expired, and does nothing else', async () => {
      givenAuthorized(Math.floor(NOW / 1000) - 1);

      expect(replyOf(await ping('{"action":"ping"}'))).toEqual(expect.objectContaining({ code: 'token_expired' }));
      expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
    });

    it('answers unauthorized even to a message that is not JSON', async () => {
      dynamo.on(GetItemCommand).resolves({});

      expect(replyOf(await ping('not json at all'))).toEqual(expect.objectContaining({ code: 'unauthorized' }));
      expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
    });
  });

  it('answers internal_error without internals when the table cannot be read', async () => {
    dynamo.on(GetItemCommand).rejects(new Error('secret internal detail at /var/task/index.js:1:1'));

    const result = await ping('{"action":"ping"}');

    expect(replyOf(result)).toEqual({ type: 'error', code: 'internal_error', message: 'Internal error: try again later.' });
    expect(result.body).not.toContain('secret internal detail');
  });
});
