/**
 * Regression: an `action` nested too deeply for `JSON.stringify` (a 10 KB frame of 5,000 nested
 * arrays, well under the 32 KB frame limit) made the gateway's route selection throw a RangeError
 * inside `ws`'s message event — an uncaught exception that ended `npm start` — and made `$default`
 * answer `internal_error` instead of `not_implemented`. Found by the hostile-frame fuzz
 * (test/integration/security/hostile-frames.test.ts).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { handleDefault } from '../../../src/handlers/default';
import { RouteTable, selectRouteKey } from '../../../src/local/gateway/route-selection';
import { connectionStore, dynamo, NO_SIDE_EFFECTS, replyOf, resetMocks, sideEffectCalls } from '../helpers/aws';
import { CONNECTION_ID, messageEvent } from '../helpers/events';
import { silentLogger } from '../helpers/logs';
import { authorizedRecord, item } from '../helpers/records';

const NOW = Date.UTC(2025, 11, 13, 10, 30);

/** `{"action":[[[…]]]}` / `{"action":{"a":{"a":…}}}` nested `depth` levels. */
function nestedAction(depth: number, kind: 'array' | 'object'): string {
  const value = kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  return `{"action":${value}}`;
}

/** Depths from harmless to far beyond what JSON.stringify's recursion survives, all within 128 KB. */
const depths = fc.integer({ min: 1, max: 20_000 });

describe('Function: selectRouteKey (deeply nested actions)', () => {
  it('never throws; an action too deep to stringify selects no key', () => {
    fc.assert(
      fc.property(depths, fc.constantFrom<'array' | 'object'>('array', 'object'), (depth, kind) => {
        const key = selectRouteKey(nestedAction(depth, kind), ['action']);
        if (key !== undefined) expect(key.startsWith(kind === 'array' ? '[' : '{')).toBe(true);
      }),
      { numRuns: 60 },
    );
    expect(selectRouteKey(nestedAction(10_000, 'array'), ['action'])).toBeUndefined();
  });

  it('routes such a message to $default', () => {
    const routes = new RouteTable(new Map([['$default', 'default'], ['ping', 'ping']]), ['action']);

    expect(routes.select(nestedAction(10_000, 'array'))).toBe('default');
    expect(routes.select(nestedAction(10_000, 'object'))).toBe('default');
  });
});

describe('Function: handleDefault (deeply nested actions)', () => {
  beforeEach(() => {
    dynamo.on(GetItemCommand).resolves({ Item: item(authorizedRecord(CONNECTION_ID, { expiresAt: Math.floor(NOW / 1000) + 60 })) });
  });

  afterEach(() => {
    resetMocks();
  });

  it.each([
    ['arrays', 'array'],
    ['objects', 'object'],
  ] as const)('answers not_implemented, not internal_error, for an action of 10,000 nested %s', async (_name, kind) => {
    // Act
    const result = await handleDefault(messageEvent(nestedAction(10_000, kind), { routeKey: '$default' }), {
      connections: connectionStore(),
      logger: silentLogger(),
      clock: () => NOW,
    });

    // Assess
    expect(replyOf(result)).toEqual({ type: 'error', code: 'not_implemented', message: 'This action is not implemented.' });
    expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
  });
});
