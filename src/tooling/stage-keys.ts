import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { keysDirectory } from './project-paths';

/** The algorithm of every key pair ws-notify generates. */
export const GENERATED_KEY_ALGORITHM = 'ES256';

export interface StageKeyPaths {
  readonly privateJwk: string;
  readonly publicJwk: string;
}

/** `.keys/<stage>.private.jwk.json` and `.keys/<stage>.public.jwk.json`. */
export function stageKeyPaths(stage: string): StageKeyPaths {
  const dir = keysDirectory();
  return {
    privateJwk: path.join(dir, `${stage}.private.jwk.json`),
    publicJwk: path.join(dir, `${stage}.public.jwk.json`),
  };
}

/** A stage needs a key pair that has not been made yet. The message names the command that makes it. */
export class MissingStageKeyError extends Error {
  override readonly name = 'MissingStageKeyError';
  readonly code = 'missing_stage_key';
  constructor(
    readonly stage: string,
    readonly file: string,
  ) {
    super(`no signing key for stage "${stage}" (${path.relative(process.cwd(), file) || file} is missing): run npm run keys -- --stage ${stage}`);
  }
}

function readJwkFile(file: string): JWK | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as JWK;
}

/** The stage's public JWK (kid, alg, use set), or undefined when the pair has not been made. Synchronous: CDK synth reads it. */
export function readStagePublicJwk(stage: string): JWK | undefined {
  return readJwkFile(stageKeyPaths(stage).publicJwk);
}

/** Like readStagePublicJwk, but a missing key is a MissingStageKeyError. */
export function requireStagePublicJwk(stage: string): JWK {
  const jwk = readStagePublicJwk(stage);
  if (jwk === undefined) throw new MissingStageKeyError(stage, stageKeyPaths(stage).publicJwk);
  return jwk;
}

export interface EnsuredKeyPair {
  /** True when this call generated the pair; false when both files were already there. */
  readonly created: boolean;
  readonly paths: StageKeyPaths;
  readonly kid: string;
}

/**
 * Makes the stage's ES256 key pair when it does not exist yet. The private JWK is written with
 * mode 0600 in a 0700 directory and is never printed. An existing pair is left untouched.
 */
export async function ensureStageKeyPair(stage: string): Promise<EnsuredKeyPair> {
  const paths = stageKeyPaths(stage);
  const existing = readJwkFile(paths.publicJwk);
  if (existing !== undefined && existsSync(paths.privateJwk)) {
    return { created: false, paths, kid: existing.kid ?? '' };
  }
  const { publicKey, privateKey } = await generateKeyPair(GENERATED_KEY_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const common = { kid, alg: GENERATED_KEY_ALGORITHM, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), ...common };

  mkdirSync(path.dirname(paths.privateJwk), { recursive: true, mode: 0o700 });
  writeFileSync(paths.privateJwk, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600 });
  chmodSync(paths.privateJwk, 0o600);
  writeFileSync(paths.publicJwk, `${JSON.stringify({ ...publicJwk, ...common }, null, 2)}\n`, { mode: 0o644 });
  return { created: true, paths, kid };
}

export interface StageSigningKey {
  /** What jose's importJWK gives: a CryptoKey, or bytes for a symmetric key. */
  readonly key: Awaited<ReturnType<typeof importJWK>>;
  readonly kid: string;
  readonly alg: string;
}

/** The stage's private key for signing tokens; MissingStageKeyError when the pair has not been made. */
export async function readStageSigningKey(stage: string): Promise<StageSigningKey> {
  const { privateJwk } = stageKeyPaths(stage);
  const jwk = readJwkFile(privateJwk);
  if (jwk === undefined) throw new MissingStageKeyError(stage, privateJwk);
  const alg = jwk.alg ?? GENERATED_KEY_ALGORITHM;
  return { key: await importJWK(jwk, alg), kid: jwk.kid ?? '', alg };
}
