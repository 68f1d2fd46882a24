/**
 * Regression: tokens that got past redaction into log lines. Redaction used to look for the
 * spelling of a token — a literal `"token"` key, `token=` in a query, a JWT starting `eyJ` — so a
 * JSON-escaped key or token in an `authorize` body, a token whose header starts `eyAi` (its JSON
 * header begins `{ "`, which every JOSE library accepts), or a token in a query parameter whose
 * name is percent-encoded or not `token`, was printed as it came. Each case goes through the real
 * logger (Powertools with the redacting formatter) and the printed line is checked for the token,
 * its signature and its escaped form.
 */
import { ISSUER, AUDIENCE, KID, createTestKeys, nowSeconds, type TestKeys } from '../helpers/tokens';
import { messageEvent, sqsEvent, sqsRecord } from '../helpers/events';
import { captureLogs, type CapturedLogs } from '../helpers/logs';

/** Every character as a JSON `\uXXXX` escape: JSON that decodes to `text` without containing it. */
function jsonEscapedEverywhere(text: string): string {
  return [...text].map((character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
}

/** The text with every `\uXXXX` escape resolved, however many backslashes escape it in turn. */
function withEscapesResolved(text: string): string {
  return text.replace(/\\+u([0-9a-fA-F]{4})/g, (_escape, code: string) => String.fromCharCode(parseInt(code, 16)));
}

/**
 * A valid ES256 token whose header and payload are JSON written with a space after `{`
 * (`{ "alg": …`), which every JOSE library accepts: both segments start `eyAi`, none `eyJ`.
 */
async function tokenWithSpacedHeader(keys: TestKeys): Promise<string> {
  const header = Buffer.from(`{ "alg": "ES256", "kid": "${KID}" }`).toString('base64url');
  const claims = { sub: '1234', iss: ISSUER, aud: AUDIENCE, iat: nowSeconds(), exp: nowSeconds() + 600 };
  const payload = Buffer.from(`{ ${JSON.stringify(claims).slice(1)}`).toString('base64url');
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, new TextEncoder().encode(`${header}.${payload}`));
  return `${header}.${payload}.${Buffer.from(signature).toString('base64url')}`;
}

describe('Security: tokens never reach a log line, however they are written', () => {
  let keys: TestKeys;
  let token: string;
  let spacedToken: string;
  let logs: CapturedLogs;

  beforeAll(async () => {
    keys = await createTestKeys();
    token = await keys.sign();
    spacedToken = await tokenWithSpacedHeader(keys);
  });

  beforeEach(() => {
    logs = captureLogs();
  });

  afterEach(() => {
    logs.restore();
  });

  /** Fails when the printed lines contain the token's signature, also once JSON escapes are resolved. */
  function expectNoTrace(secret: string): void {
    const printed = logs.lines.join('\n');
    const signature = secret.slice(secret.lastIndexOf('.') + 1);
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(printed).not.toContain(signature);
    expect(withEscapesResolved(printed)).not.toContain(signature);
  }

  it('the eyAi token is a real token: the verifier accepts it', async () => {
    expect(spacedToken.startsWith('eyAi')).toBe(true);
    expect(spacedToken).not.toContain('eyJ');
    await expect(keys.verifier.verify(spacedToken)).resolves.toEqual(expect.objectContaining({ userId: '1234' }));
  });

  it('redacts an authorize body whose "token" key and value are JSON-escaped', () => {
    // Prepare: the body the authorize function receives; JSON.parse reads it as {"action":"authorize","token":…}.
    const body = `{"action":"authorize","${jsonEscapedEverywhere('token')}":"${jsonEscapedEverywhere(token)}"}`;
    expect(JSON.parse(body)).toEqual({ action: 'authorize', token });

    // Act
    logs.logger.info('Lambda invocation event', { event: messageEvent(body, { routeKey: 'authorize' }) });

    // Assess
    expectNoTrace(token);
    const logged = (logs.entries()[0]?.event as { body: string }).body;
    expect(JSON.parse(logged)).toEqual({ action: 'authorize', token: '[REDACTED]' });
  });

  it('redacts a JSON-escaped token under a key that is not "token", and in invalid JSON', () => {
    const escaped = jsonEscapedEverywhere(token);

    logs.logger.info('event', { event: messageEvent(`{"action":"authorise","credential":"${escaped}"}`) });
    logs.logger.info('event', { event: messageEvent(`{"action":"authorize","tok\\u0065n":"${escaped}",}`) });
    logs.logger.info('event', { event: messageEvent(`{"action":"authorize","x":"${escaped}`) });

    expect(logs.lines).toHaveLength(3);
    expectNoTrace(token);
  });

  it('redacts a token whose header starts eyAi, in a message body, in message text and in an error', () => {
    logs.logger.info('event', { event: messageEvent(JSON.stringify({ action: 'authorise', credential: spacedToken })) });
    logs.logger.warn(`client sent ${spacedToken}`);
    logs.logger.error('failed', { error: new Error(`could not use ${spacedToken}`) });

    expect(logs.lines).toHaveLength(3);
    expectNoTrace(spacedToken);
  });

  it('redacts tokens in URL query strings by the decoded parameter name, and by value', () => {
    const opaque = 'opaque-credential-7f3a9c';
    logs.logger.info('url', { url: `wss://abc.example.com/prod?%74oken=${opaque}&a=1` });
    logs.logger.info('url', { url: `wss://abc.example.com/prod?jwt=${spacedToken}` });
    logs.logger.info('url', { url: `https://app.example/callback?state=x&next=${encodeURIComponent(`/x?t=${spacedToken}`)}` });
    logs.logger.info(`GET /prod?Access%5FToken=${opaque} 403`);

    expect(logs.lines).toHaveLength(4);
    expect(logs.lines.join('\n')).not.toContain(opaque);
    expectNoTrace(spacedToken);
    expect(logs.entries()[0]?.url).toBe('wss://abc.example.com/prod?%74oken=[REDACTED]&a=1');
  });

  it('redacts tokens nested in objects and arrays of a logged event, and in JSON bodies inside them', () => {
    // Prepare: a queue event whose message body holds a sign-in link and an escaped token deep inside.
    const body = JSON.stringify({
      userId: 'u1',
      data: { steps: [{ link: `https://app.example/cb?%74oken=${token}` }, [{ note: `use ${spacedToken}` }]] },
    });
    const escapedToken = jsonEscapedEverywhere(token);
    const event = sqsEvent([sqsRecord(body), sqsRecord(`{"data":{"list":["${escapedToken}"]}}`)]);

    // Act
    logs.logger.info('Lambda invocation event', { event, extra: [[{ deeper: { credentials: [`Bearer ${spacedToken}`] } }]] });

    // Assess
    expectNoTrace(token);
    expectNoTrace(spacedToken);
  });
});
