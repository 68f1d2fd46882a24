/**
 * The console's two actions, as plain functions of a request body: a token for a demo client and
 * "report ready" (docs/console.md, "Security of the token endpoint"). Neither logs anything; the
 * token only ever travels in the response body.
 */
import * as t from 'io-ts';
import type { StageConfig } from '../../../infra/stages';
import type { ConsoleErrorBody, ReportReadyResponse, TokenResponse } from '../../console/console-api';
import { decode, parseJson, UserId } from '../../commons/codecs';
import { issueStageToken } from '../../tooling/stage-tokens';

/** Lifetime of a demo client's token. */
export const CONSOLE_TOKEN_TTL_SECONDS = 3600;

export type ActionResult<T> = { readonly status: 200; readonly body: T } | { readonly status: 400 | 403; readonly body: ConsoleErrorBody };

const UserRequest = t.type({ userId: UserId }, 'UserRequest');

function refusal(status: 400 | 403, error: string, message: string): ActionResult<never> {
  return { status, body: { error, message } };
}

/** The user id of `{"userId":"…"}` (1–128 characters), or a 400. */
export function parseUserRequest(text: string): string | ActionResult<never> {
  const json = parseJson(text);
  const decoded = json.ok ? decode(UserRequest, json.value) : { ok: false as const, message: 'the body must be JSON: {"userId":"…"}' };
  return decoded.ok ? decoded.value.userId : refusal(400, 'bad_request', decoded.message);
}

/**
 * True when the stage is marked for console tokens (`consoleTokens`) and its key is generated. A
 * generated key alone is not enough: `prod`'s is too, and the deployed stack accepts its tokens.
 */
export function canIssueTokens(stage: StageConfig): boolean {
  return stage.consoleTokens === true && stage.jwt.keySource.kind === 'generated';
}

export async function issueConsoleToken(stage: StageConfig, requestBody: string, now: number = Date.now()): Promise<ActionResult<TokenResponse>> {
  if (stage.jwt.keySource.kind === 'jwks') {
    const message = `stage "${stage.name}" verifies tokens from an external identity provider: paste a token from it`;
    return refusal(403, 'external_identity_provider', message);
  }
  if (!canIssueTokens(stage)) {
    const message = `stage "${stage.name}" does not let the console issue tokens: paste one (npm run -s token -- --stage ${stage.name} --user <id>)`;
    return refusal(403, 'console_tokens_disabled', message);
  }
  const userId = parseUserRequest(requestBody);
  if (typeof userId !== 'string') return userId;
  const token = await issueStageToken(stage, { userId, ttlSeconds: CONSOLE_TOKEN_TTL_SECONDS, now });
  return { status: 200, body: { token, expiresAt: Math.floor(now / 1000) + CONSOLE_TOKEN_TTL_SECONDS } };
}

/** `nextReport` numbers the demo reports (`/reports/1`, `/reports/2`, …); a refused request takes no number. */
export async function sendReportReady(
  notifyUser: (userId: string, data: unknown) => Promise<string>,
  nextReport: () => number,
  requestBody: string,
): Promise<ActionResult<ReportReadyResponse>> {
  const userId = parseUserRequest(requestBody);
  if (typeof userId !== 'string') return userId;
  const download = `/reports/${nextReport()}`;
  const messageId = await notifyUser(userId, { download });
  return { status: 200, body: { messageId, download } };
}
