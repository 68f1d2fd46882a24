/**
 * Issuing tokens for a stage with its generated ES256 key (`npm run token`, the local console's
 * demo clients, tests), and the refusal for a stage whose tokens come from an external identity
 * provider.
 */
import { SignJWT } from 'jose';
import { maxTokenLifetimeSecondsOf, type StageConfig } from '../../infra/stages';
import { ensureStageKeyPair, readStageSigningKey } from './stage-keys';

/** What issuing a stage's tokens needs of it: a declared stage, or the stack of a CDK app run locally (app-stage.ts). */
export type TokenStage = Pick<StageConfig, 'name' | 'jwt' | 'maxTokenLifetimeSeconds' | 'consoleTokens'>;

export type StageTokenErrorCode =
  /** The stage verifies tokens of an external identity provider (keySource `jwks`): ws-notify holds no key for it. */
  | 'external_identity_provider'
  /** The stage's key is of an algorithm the stage does not accept. */
  | 'algorithm_not_accepted'
  /** The token would live longer than the stage's maximum token lifetime. */
  | 'lifetime_too_long';

/** No token can be issued for the stage. The message is one line, fit for a CLI. */
export class StageTokenError extends Error {
  override readonly name = 'StageTokenError';
  constructor(
    readonly code: StageTokenErrorCode,
    readonly stage: string,
    message: string,
  ) {
    super(message);
  }
}

/** Throws a StageTokenError for a stage whose keys ws-notify does not hold (keySource `jwks`). */
export function assertGeneratedKeys(stage: TokenStage): void {
  const source = stage.jwt.keySource;
  if (source.kind === 'jwks') {
    throw new StageTokenError(
      'external_identity_provider',
      stage.name,
      `stage "${stage.name}" verifies tokens from an external identity provider (${source.jwksUrl}): get its tokens from that provider, ws-notify has no key for it`,
    );
  }
}

export interface IssueTokenOptions {
  readonly userId: string;
  readonly ttlSeconds: number;
  /** ms since epoch; default now. */
  readonly now?: number;
}

/**
 * A JWT for the user, signed with the stage's private key: ES256 with the key's `kid`, `iss` and
 * `aud` of the stage, `sub`, `iat`, `exp`. Only a stage marked `consoleTokens` (a throwaway
 * development key, `local`) has its key pair made on first use; any other stage signs only with a
 * key made on purpose by `npm run keys`, as synth and deploy require, and a missing key is a
 * MissingStageKeyError (one line naming that command), never a new key pair.
 */
export async function issueStageToken(stage: TokenStage, options: IssueTokenOptions): Promise<string> {
  assertGeneratedKeys(stage);
  const maxLifetime = maxTokenLifetimeSecondsOf(stage);
  if (options.ttlSeconds > maxLifetime) {
    throw new StageTokenError('lifetime_too_long', stage.name, `a token of stage "${stage.name}" may live at most ${maxLifetime} seconds, not ${options.ttlSeconds}`);
  }
  if (stage.consoleTokens === true) await ensureStageKeyPair(stage.name);
  const { key, kid, alg } = await readStageSigningKey(stage.name);
  if (!(stage.jwt.algorithms as readonly string[]).includes(alg)) {
    throw new StageTokenError(
      'algorithm_not_accepted',
      stage.name,
      `the key of stage "${stage.name}" is ${alg}, which the stage does not accept (${stage.jwt.algorithms.join(', ')})`,
    );
  }
  const issuedAt = Math.floor((options.now ?? Date.now()) / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer(stage.jwt.issuer)
    .setAudience(stage.jwt.audience)
    .setSubject(options.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.ttlSeconds)
    .sign(key);
}
