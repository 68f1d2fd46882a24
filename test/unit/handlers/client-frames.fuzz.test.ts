/**
 * Property tests (fast-check): whatever text a client sends, the function API Gateway routes it
 * to answers with one well-formed frame — a valid reply or a documented error frame — and never throws.
 * On a connection that may not act, every message except `authorize` gets `unauthorized` /
 * `token_expired` and nothing is written, sent or posted.
 */
import { DeleteConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { ERROR_CODES } from '../../../src/commons/frames';
import type { RouteResult, WebSocketMessageEvent } from '../../../src/commons/websocket-events';
import { handleAuthorize } from '../../../src/handlers/authorize';
import { handleDefault } from '../../../src/handlers/default';
import { handlePing } from '../../../src/handlers/ping';
import { handleResume } from '../../../src/handlers/resume';
import { connectionStore, dynamo, gatewayClient, management, resetMocks, sideEffectCalls, sqs } from '../helpers/aws';
import { CONNECTION_ID, messageEvent } from '../helpers/events';
import { givenInbox, inboxStore } from '../helpers/inbox';
import { silentLogger } from '../helpers/logs';
import { testMetrics } from '../helpers/metrics';
import { authorizedRecord, item, pendingRecord } from '../helpers/records';
import { createTestKeys, type TestKeys } from '../helpers/tokens';

type Route = (event: WebSocketMessageEvent) => Promise<RouteResult>;

const NOW = Date.UTC(2025, 11, 13, 10, 30);
const NOW_S = Math.floor(NOW / 1000);

/** `$request.body.action` selection as API Gateway does it: non-JSON or no key → `$default`, non-strings stringified. */
function routeKeyFor(body: string, routes: ReadonlyMap<string, Route>): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return '$default';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.hasOwn(parsed, 'action')) return '$default';
  const action = (parsed as Record<string, unknown>).action;
  const key = typeof action === 'string' ? action : JSON.stringify(action);
  return routes.has(key) ? key : '$default';
}

const actions = fc.oneof(
  fc.constantFrom('ping', 'authorize', 'resume', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '$default', '$connect'),
  fc.string(),
  fc.jsonValue(),
);

/** Text a client might send: anything, JSON of anything, or objects with an action and arbitrary fields. */
const clientFrames = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json(),
  fc
    .record(
      {
        action: actions,
        name: fc.oneof(fc.string({ maxLength: 120 }), fc.jsonValue()),
        token: fc.oneof(fc.string(), fc.jsonValue()),
        after: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.jsonValue(), fc.constant(Number.MAX_SAFE_INTEGER)),
      },
      { requiredKeys: [] },
    )
    .chain((message) => fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }).map((extra) => JSON.stringify({ ...extra, ...message }))),
);

const connectionStates = fc.constantFrom('authorized', 'absent', 'pending', 'expired');

describe('Property: every client frame gets one well-formed reply', () => {
  let keys: TestKeys;
  let routes: Map<string, Route>;

  beforeAll(async () => {
    keys = await createTestKeys();
    const connections = connectionStore();
    const inbox = inboxStore();
    const logger = silentLogger();
    const clock = (): number => NOW;
    routes = new Map<string, Route>([
      ['ping', (event) => handlePing(event, { connections, logger, clock })],
      ['authorize', (event) => handleAuthorize(event, { connections, inbox, gateway: gatewayClient(), verifier: keys.verifier, logger, clock })],
      ['resume', (event) => handleResume(event, { connections, inbox, gateway: gatewayClient(), logger, metrics: testMetrics(), clock })],
      ['$default', (event) => handleDefault(event, { connections, logger, clock })],
    ]);
  });

  afterEach(() => {
    resetMocks();
  });

  function givenState(state: string): void {
    dynamo.reset();
    sqs.reset();
    management.reset();
    const record =
      state === 'authorized'
        ? authorizedRecord(CONNECTION_ID, { expiresAt: NOW_S + 600 })
        : state === 'pending'
          ? pendingRecord(CONNECTION_ID, NOW)
          : state === 'expired'
            ? authorizedRecord(CONNECTION_ID, { expiresAt: NOW_S - 1 })
            : undefined;
    dynamo.on(GetItemCommand).resolves(record === undefined ? {} : { Item: item(record) });
    dynamo.on(UpdateItemCommand).resolves({ Attributes: { failedAttempts: { N: '1' } } });
    givenInbox({ latest: 3 });
    management.on(PostToConnectionCommand).resolves({});
    management.on(DeleteConnectionCommand).resolves({});
  }

  it('answers with a valid frame and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(clientFrames, connectionStates, async (body, state) => {
        // Prepare
        givenState(state);
        const routeKey = routeKeyFor(body, routes);
        const route = routes.get(routeKey) ?? routes.get('$default');

        // Act
        const result = await route!(messageEvent(body, { routeKey }));

        // Assess: one JSON frame with a type; errors carry a documented code and a message, nothing else.
        expect(result.statusCode).toBe(200);
        const frame = JSON.parse(result.body ?? '') as Record<string, unknown>;
        expect(['pong', 'resumed', 'error']).toContain(frame.type);
        if (frame.type === 'error') {
          expect(Object.keys(frame).sort()).toEqual(['code', 'message', 'type']);
          expect(ERROR_CODES).toContain(frame.code);
          expect(typeof frame.message).toBe('string');
          expect(frame.code).not.toBe('internal_error');
        }

        const mayAct = state === 'authorized';
        if (routeKey !== 'authorize') {
          // Not authorize: the state decides first, and nothing is ever written or sent.
          expect(sideEffectCalls()).toEqual({ table: 0, queue: 0, gateway: 0 });
          if (!mayAct) expect(frame.code).toBe(state === 'expired' ? 'token_expired' : 'unauthorized');
          if (mayAct && routeKey === '$default') expect(['bad_request', 'not_implemented']).toContain(frame.code);
          if (mayAct && routeKey === 'ping' && frame.type === 'error') expect(frame.code).toBe('bad_request');
          if (mayAct && routeKey === 'resume' && frame.type === 'error') expect(frame.code).toBe('bad_request');
          if (frame.type === 'resumed') {
            // The inbox holds nothing but latest 3: truncated exactly when the client is behind it.
            const { after } = JSON.parse(body) as { after: number };
            expect(frame).toEqual({ type: 'resumed', after, latest: 3, count: 0, more: false, truncated: after < 3 });
          }
          if (frame.type === 'pong') expect(routeKey).toBe('ping');
          if (frame.type === 'resumed') expect(routeKey).toBe('resume');
        } else {
          // authorize with an arbitrary token never succeeds.
          expect(['bad_request', 'invalid_token', 'unauthorized']).toContain(frame.code);
        }
      }),
      { numRuns: 400 },
    );
  });

  it.each(['__proto__', 'constructor', 'toString'])('routes the action %s to $default, which answers not_implemented', async (action) => {
    givenState('authorized');
    const body = JSON.stringify({ action });
    const routeKey = routeKeyFor(body, routes);

    const result = await routes.get(routeKey)!(messageEvent(body, { routeKey }));

    expect(routeKey).toBe('$default');
    expect(JSON.parse(result.body ?? '')).toEqual(expect.objectContaining({ type: 'error', code: 'not_implemented' }));
  });
});
