import { InvalidTokenError, KeyUnavailableError } from '../../../src/commons/errors';
import type { TokenVerifier } from '../../../src/commons/jwt-verifier';
import { handleAuthorizer } from '../../../src/handlers/authorizer';
import { authorizerEvent, METHOD_ARN } from '../helpers/events';
import { captureLogs, silentLogger, type CapturedLogs } from '../helpers/logs';
import { counts, storedMetrics, testMetrics } from '../helpers/metrics';
import { createTestKeys, nowSeconds, type TestKeys } from '../helpers/tokens';

const deny = {
  principalId: 'anonymous',
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: METHOD_ARN }] },
};

describe('Function: handleAuthorizer', () => {
  let keys: TestKeys;

  beforeAll(async () => {
    keys = await createTestKeys();
  });

  it('allows a valid token for the $connect route, with principalId = sub and context { userId, expiresAt }', async () => {
    // Prepare
    const exp = nowSeconds() + 900;
    const token = await keys.sign({ sub: '1234', exp });

    // Act
    const result = await handleAuthorizer(authorizerEvent(token), { verifier: keys.verifier, logger: silentLogger(), metrics: testMetrics() });

    // Assess
    expect(result).toEqual({
      principalId: '1234',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }] },
      context: { userId: '1234', expiresAt: exp },
    });
  });

  it('denies a request without a query string', async () => {
    await expect(handleAuthorizer(authorizerEvent(undefined), { verifier: keys.verifier, logger: silentLogger(), metrics: testMetrics() })).resolves.toEqual(deny);
  });

  it('denies an empty token', async () => {
    await expect(handleAuthorizer(authorizerEvent(''), { verifier: keys.verifier, logger: silentLogger(), metrics: testMetrics() })).resolves.toEqual(deny);
  });

  it.each([
    ['expired', () => keys.sign({ exp: nowSeconds() - 300 })],
    ['for another audience', () => keys.sign({ aud: 'other' })],
    ['garbage', () => Promise.resolve('not-a-jwt')],
    ['too long', () => Promise.resolve('a'.repeat(5000))],
  ])('denies a token that is %s, without throwing', async (_label, makeToken) => {
    await expect(handleAuthorizer(authorizerEvent(await makeToken()), { verifier: keys.verifier, logger: silentLogger(), metrics: testMetrics() })).resolves.toEqual(deny);
  });

  it('verifies against the injected clock', async () => {
    const exp = nowSeconds() + 60;
    const token = await keys.sign({ exp });
    const clock = (): number => (exp + 3600) * 1000;

    await expect(handleAuthorizer(authorizerEvent(token), { verifier: keys.verifier, logger: silentLogger(), metrics: testMetrics(), clock })).resolves.toEqual(deny);
  });

  describe('logs', () => {
    let logs: CapturedLogs;

    beforeEach(() => {
      logs = captureLogs();
    });

    afterEach(() => {
      logs.restore();
    });

    it('logs why a token was denied, never the token', async () => {
      const token = await keys.sign({ exp: nowSeconds() - 300 });

      await handleAuthorizer(authorizerEvent(token), { verifier: keys.verifier, logger: logs.logger, metrics: testMetrics() });

      expect(logs.lines.join('\n')).not.toContain(token);
      expect(logs.entries()).toEqual([expect.objectContaining({ level: 'INFO', message: 'Connection denied', reason: 'expired' })]);
    });

    it('denies and logs an error when the keys are unavailable', async () => {
      const verifier: TokenVerifier = { verify: () => Promise.reject(new KeyUnavailableError('verification keys are unavailable')) };

      const result = await handleAuthorizer(authorizerEvent('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln'), { verifier, logger: logs.logger, metrics: testMetrics() });

      expect(result).toEqual(deny);
      expect(logs.entries()).toEqual([
        expect.objectContaining({ level: 'ERROR', message: 'Connection denied: the token could not be verified' }),
      ]);
      expect(logs.lines.join('\n')).not.toContain('eyJzdWIiOiIxIn0');
    });

    it('denies when the verifier fails unexpectedly', async () => {
      const verifier: TokenVerifier = { verify: () => Promise.reject(new RangeError('unexpected')) };

      await expect(handleAuthorizer(authorizerEvent('x'), { verifier, logger: logs.logger, metrics: testMetrics() })).resolves.toEqual(deny);
      expect(logs.entries()[0]).toEqual(expect.objectContaining({ level: 'ERROR' }));
    });

    it('logs the allowed user', async () => {
      const verifier: TokenVerifier = { verify: () => Promise.resolve({ userId: 'u9', expiresAt: 99 }) };

      await handleAuthorizer(authorizerEvent('x'), { verifier, logger: logs.logger, metrics: testMetrics() });

      expect(logs.entries()).toEqual([expect.objectContaining({ message: 'Connection allowed', userId: 'u9', expiresAt: 99 })]);
    });
  });

  it('maps every InvalidTokenError to Deny', async () => {
    const verifier: TokenVerifier = { verify: () => Promise.reject(new InvalidTokenError('signature_invalid', 'bad')) };

    await expect(handleAuthorizer(authorizerEvent('x'), { verifier, logger: silentLogger(), metrics: testMetrics() })).resolves.toEqual(deny);
  });

  describe('metrics', () => {
    it('counts nothing for an allowed handshake: $connect decides its outcome', async () => {
      // Prepare
      const metrics = testMetrics();
      const token = await keys.sign({ sub: '1234' });

      // Act
      await handleAuthorizer(authorizerEvent(token), { verifier: keys.verifier, logger: silentLogger(), metrics });

      // Assess
      expect(metrics.hasStoredMetrics()).toBe(false);
    });

    it.each([
      ['no token', () => Promise.resolve(undefined)],
      ['an expired token', () => keys.sign({ exp: nowSeconds() - 300 })],
    ])('counts a handshake refused as unauthorized for %s, under the stage', async (_label, makeToken) => {
      // Prepare
      const metrics = testMetrics();

      // Act
      await handleAuthorizer(authorizerEvent(await makeToken()), { verifier: keys.verifier, logger: silentLogger(), metrics });

      // Assess
      const stored = storedMetrics(metrics);
      expect(stored.namespace).toBe('WsNotify');
      expect(stored.values).toEqual({ HandshakesRefused: [1] });
      expect(stored.dimensions).toEqual({ service: 'ws-notify', stage: 'test', reason: 'unauthorized' });
    });

    it('counts a handshake refused as error when the keys are unavailable', async () => {
      // Prepare
      const metrics = testMetrics();
      const verifier: TokenVerifier = { verify: () => Promise.reject(new KeyUnavailableError('verification keys are unavailable')) };

      // Act
      await handleAuthorizer(authorizerEvent('x'), { verifier, logger: silentLogger(), metrics });

      // Assess
      expect(counts(metrics)).toEqual({ HandshakesRefused: 1 });
      expect(storedMetrics(metrics).dimensions.reason).toBe('error');
    });
  });
});
