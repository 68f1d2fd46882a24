import { importJWK, jwtVerify, type JWK } from 'jose';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getStage, type StageConfig } from '../../../../infra/stages';
import {
  canIssueTokens,
  CONSOLE_TOKEN_TTL_SECONDS,
  issueConsoleToken,
  parseUserRequest,
  sendReportReady,
} from '../../../../src/local/console/console-actions';
import { temporaryDirectory } from '../../helpers/temp-dir';

const jwksStage: StageConfig = {
  ...getStage('prod'),
  name: 'partner',
  jwt: { issuer: 'https://idp.example.com/', audience: 'ws-notify', algorithms: ['RS256'], keySource: { kind: 'jwks', jwksUrl: 'https://idp.example.com/.well-known/jwks.json' } },
};

describe('Function: parseUserRequest', () => {
  it('accepts a user id of 1 to 128 characters', () => {
    expect(parseUserRequest('{"userId":"a"}')).toBe('a');
    expect(parseUserRequest(JSON.stringify({ userId: 'x'.repeat(128) }))).toBe('x'.repeat(128));
  });

  it.each([
    ['an empty user id', '{"userId":""}'],
    ['129 characters', JSON.stringify({ userId: 'x'.repeat(129) })],
    ['a number', '{"userId":1234}'],
    ['no user id', '{}'],
    ['not JSON', 'userId=alice'],
    ['an array', '["alice"]'],
  ])('answers 400 bad_request to %s', (_name, body) => {
    expect(parseUserRequest(body)).toMatchObject({ status: 400, body: { error: 'bad_request' } });
  });
});

describe('Function: issueConsoleToken', () => {
  let keysDir: { path: string; remove: () => void };
  const saved = process.env.WS_NOTIFY_KEYS_DIR;

  beforeEach(() => {
    keysDir = temporaryDirectory('ws-notify-console-keys-');
    process.env.WS_NOTIFY_KEYS_DIR = keysDir.path;
  });

  afterEach(() => {
    if (saved === undefined) delete process.env.WS_NOTIFY_KEYS_DIR;
    else process.env.WS_NOTIFY_KEYS_DIR = saved;
    keysDir.remove();
  });

  it("issues a token for the user that the stage's key verifies, valid for the console's TTL", async () => {
    const stage = getStage('local');
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);

    const result = await issueConsoleToken(stage, '{"userId":"alice"}', now);

    expect(result.status).toBe(200);
    if (result.status !== 200) return;
    const publicJwk = JSON.parse(readFileSync(path.join(keysDir.path, 'local.public.jwk.json'), 'utf8')) as JWK;
    const { payload } = await jwtVerify(result.body.token, await importJWK(publicJwk, 'ES256'), {
      issuer: stage.jwt.issuer,
      audience: stage.jwt.audience,
      currentDate: new Date(now),
    });
    expect(payload.sub).toBe('alice');
    expect(payload.exp).toBe(now / 1000 + CONSOLE_TOKEN_TTL_SECONDS);
    expect(result.body.expiresAt).toBe(payload.exp);
  });

  it('refuses a stage whose tokens come from an external identity provider, without reading the body', async () => {
    const result = await issueConsoleToken(jwksStage, '{"userId":"alice"}');

    expect(result).toEqual({
      status: 403,
      body: { error: 'external_identity_provider', message: 'stage "partner" verifies tokens from an external identity provider: paste a token from it' },
    });
    expect(canIssueTokens(jwksStage)).toBe(false);
  });

  it.each(['prod', 'dev'])('refuses stage %s, whose key is generated but which is not marked for console tokens, and creates no key', async (name) => {
    // Act
    const result = await issueConsoleToken(getStage(name), '{"userId":"alice"}');

    // Assess
    expect(canIssueTokens(getStage(name))).toBe(false);
    expect(result).toEqual({
      status: 403,
      body: { error: 'console_tokens_disabled', message: `stage "${name}" does not let the console issue tokens: paste one (npm run -s token -- --stage ${name} --user <id>)` },
    });
    expect(readdirSync(keysDir.path)).toEqual([]);
  });

  it('issues tokens only for a stage marked for it: local out of the box, or a stage that sets consoleTokens', () => {
    expect(canIssueTokens(getStage('local'))).toBe(true);
    expect(canIssueTokens({ ...getStage('dev'), consoleTokens: true })).toBe(true);
    expect(canIssueTokens({ ...getStage('local'), consoleTokens: false })).toBe(false);
    expect(canIssueTokens({ ...jwksStage, consoleTokens: true })).toBe(false);
  });

  it('refuses an invalid user id with 400 and issues nothing', async () => {
    const result = await issueConsoleToken(getStage('local'), JSON.stringify({ userId: 'x'.repeat(129) }));

    expect(result).toMatchObject({ status: 400, body: { error: 'bad_request', message: 'userId must be a string of 1 to 128 characters' } });
    expect(JSON.stringify(result)).not.toMatch(/eyJ/);
  });
});

describe('Function: sendReportReady', () => {
  it('sends {"download":"/reports/<n>"} to the user, numbering the reports', async () => {
    const sent: { userId: string; data: unknown }[] = [];
    const notifyUser = (userId: string, data: unknown) => {
      sent.push({ userId, data });
      return Promise.resolve(`message-${sent.length}`);
    };
    let last = 0;
    const nextReport = () => ++last;

    const first = await sendReportReady(notifyUser, nextReport, '{"userId":"alice"}');
    const second = await sendReportReady(notifyUser, nextReport, '{"userId":"bob"}');

    expect(first).toEqual({ status: 200, body: { messageId: 'message-1', download: '/reports/1' } });
    expect(second).toEqual({ status: 200, body: { messageId: 'message-2', download: '/reports/2' } });
    expect(sent).toEqual([
      { userId: 'alice', data: { download: '/reports/1' } },
      { userId: 'bob', data: { download: '/reports/2' } },
    ]);
  });

  it('sends nothing for an invalid user id', async () => {
    const notifyUser = jest.fn(() => Promise.resolve('never'));

    const nextReport = jest.fn(() => 1);

    const result = await sendReportReady(notifyUser, nextReport, '{"userId":""}');

    expect(result.status).toBe(400);
    expect(notifyUser).not.toHaveBeenCalled();
    expect(nextReport).not.toHaveBeenCalled();
  });
});
