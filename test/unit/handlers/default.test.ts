import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { handleDefault, type DefaultDependencies } from '../../../src/handlers/default';
import { connectionStore, dynamo, NO_SIDE_EFFECTS, replyOf, resetMocks, sideEffectCalls } from '../helpers/aws';
import { CONNECTION_ID, messageEvent } from '../helpers/events';
import { silentLogger } from '../helpers/logs';
import { authorizedRecord, item, pendingRecord } from '../helpers/records';

const NOW = Date.UTC(2025, 11, 13, 10, 30);
const deps = (): DefaultDependencies => ({ connections: connectionStore(), logger: silentLogger(), clock: () => NOW });
const send = (body: string | undefined) => handleDefault(messageEvent(body, { routeKey: '$default' }), deps());

describe('Function: handleDefault', () => {
  afterEach(() => {
    resetMocks();
  });

  describe('on an authorized connection', () => {
    beforeEach(() => {
      dynamo.on(GetItemCommand).resolves({ Item: item(authorizedRecord(CONNECTION_ID, { expiresAt: Math.floor(NOW / 1000) + 60 })) });
    });

    it('answers not_implemented for an unknown action, naming it', async () => {
      expect(replyOf(await send('{"action":"subscribe","topic":"x"}'))).toEqual({
        type: 'error',
        code: 'not_implemented',
        message: 'The action "subscribe" is not implemented.',
      });
      expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
    });

    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
      'answers not_implemented for the action %s (no route inherits from Object.prototype)',
      async (action) => {
        expect(replyOf(await send(JSON.stringify({ action })))).toEqual(expect.objectContaining({ code: 'not_implemented' }));
      },
    );

    it('answers not_implemented for a __proto__ key holding an action', async () => {
      expect(replyOf(await send('{"__proto__":{"action":"ping"}}'))).toEqual({
        type: 'error',
        code: 'not_implemented',
        message: 'A message without an action is not implemented.',
      });
    });

    it('answers not_implemented for a JSON object without action', async () => {
      expect(replyOf(await send('{"hello":"world"}'))).toEqual(expect.objectContaining({ code: 'not_implemented' }));
    });

    it.each([
      ['a number', 5, 'The action "5" is not implemented.'],
      ['an object', { a: 1 }, 'The action "{\\"a\\":1}" is not implemented.'],
      ['null', null, 'The action "null" is not implemented.'],
    ])('stringifies an action that is %s', async (_label, action, message) => {
      expect(replyOf(await send(JSON.stringify({ action })))).toEqual({ type: 'error', code: 'not_implemented', message });
    });

    it('shortens a long action in the message', async () => {
      const reply = replyOf(await send(JSON.stringify({ action: 'a'.repeat(10_000) }))) as { message: string };

      expect(reply.message).toBe(`The action "${'a'.repeat(64)}…" is not implemented.`);
    });

    it.each([
      ['not JSON', 'hello'],
      ['a JSON string', '"ping"'],
      ['a JSON number', '42'],
      ['JSON null', 'null'],
      ['a JSON array', '[{"action":"ping"}]'],
      ['empty', ''],
    ])('answers bad_request for a message that is %s', async (_label, body) => {
      expect(replyOf(await send(body))).toEqual(expect.objectContaining({ type: 'error', code: 'bad_request' }));
    });
  });

  describe('on a connection that may not act', () => {
    it.each([
      ['absent', {}, 'unauthorized'],
      ['pending', { Item: item(pendingRecord(CONNECTION_ID, NOW)) }, 'unauthorized'],
      ['expired', { Item: item(authorizedRecord(CONNECTION_ID, { expiresAt: Math.floor(NOW / 1000) - 1 })) }, 'token_expired'],
    ])('answers %s connections with the state error first, for JSON and non-JSON alike', async (_label, output, code) => {
      dynamo.on(GetItemCommand).resolves(output);

      expect(replyOf(await send('{"action":"subscribe"}'))).toEqual(expect.objectContaining({ code }));
      expect(replyOf(await send('not json'))).toEqual(expect.objectContaining({ code }));
      expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
    });
  });

  it('answers internal_error when the state cannot be read', async () => {
    dynamo.on(GetItemCommand).rejects(new Error('down'));

    expect(replyOf(await send('{"action":"x"}'))).toEqual(expect.objectContaining({ code: 'internal_error' }));
  });
});
