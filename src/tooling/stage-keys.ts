import { createPublicKey, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
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
  /** True when this call generated the pair; false when the private key was already there. */
  readonly created: boolean;
  /** True when this call wrote the public key file (a new pair, or a public key derived again from an existing private key). */
  readonly publicKeyWritten: boolean;
  readonly paths: StageKeyPaths;
  readonly kid: string;
}

const PRIVATE_FILE_MODE = 0o600;
const PUBLIC_FILE_MODE = 0o644;

function jwkText(jwk: JWK): string {
  return `${JSON.stringify(jwk, null, 2)}\n`;
}

/** A file next to `file` that no other call uses. */
function temporaryFileFor(file: string): string {
  return `${file}.${process.pid}.${randomUUID()}.tmp`;
}

/**
 * Creates `file` with `text` only if no file of that name exists, and never half-written: the text
 * goes to a temporary file opened exclusively (flag `wx`), which is then hard-linked to the final
 * name; link fails when the name exists, so of two calls at once exactly one creates the file and
 * the other reads the complete file of the first. Returns false when the file already existed.
 */
function createFileExclusively(file: string, text: string, mode: number): boolean {
  const temporary = temporaryFileFor(file);
  writeFileSync(temporary, text, { flag: 'wx', mode });
  try {
    chmodSync(temporary, mode);
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

/** Replaces `file` with `text` atomically (readers see the old file or the new one, never a mix). */
function replaceFile(file: string, text: string, mode: number): void {
  const temporary = temporaryFileFor(file);
  writeFileSync(temporary, text, { flag: 'wx', mode });
  chmodSync(temporary, mode);
  renameSync(temporary, file);
}

/** A new ES256 private JWK with its kid (the public key's JWK thumbprint), alg and use. */
async function generatePrivateJwk(): Promise<JWK> {
  const { publicKey, privateKey } = await generateKeyPair(GENERATED_KEY_ALGORITHM, { extractable: true });
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  return { ...(await exportJWK(privateKey)), kid, alg: GENERATED_KEY_ALGORITHM, use: 'sig' };
}

/**
 * The public JWK of a private JWK: the key's public members (computed by node:crypto from the
 * private key), with the private key's kid (else the thumbprint), alg and `use: sig`.
 */
export async function publicJwkOf(privateJwk: JWK): Promise<JWK> {
  const publicMembers = createPublicKey({ key: privateJwk, format: 'jwk' }).export({ format: 'jwk' }) as JWK;
  return {
    ...publicMembers,
    kid: privateJwk.kid ?? (await calculateJwkThumbprint(publicMembers)),
    alg: privateJwk.alg ?? GENERATED_KEY_ALGORITHM,
    use: 'sig',
  };
}

async function isSamePublicKey(a: JWK, b: JWK): Promise<boolean> {
  return a.kid === b.kid && a.alg === b.alg && (await calculateJwkThumbprint(a)) === (await calculateJwkThumbprint(b));
}

/**
 * Makes the stage's ES256 key pair when its private key does not exist yet, and makes sure the
 * public key file holds the public half of the private key on disk. The private key is never
 * replaced: a missing (or different) public key file is derived again from it, so losing the public
 * file cannot rotate the key that signs the stage's tokens. New files are created exclusively, so
 * two first-time calls at once (`npm start` and `npm run token`, say) end with one pair. The private
 * JWK is written with mode 0600 in a 0700 directory and is never printed.
 */
export async function ensureStageKeyPair(stage: string): Promise<EnsuredKeyPair> {
  const paths = stageKeyPaths(stage);
  mkdirSync(path.dirname(paths.privateJwk), { recursive: true, mode: 0o700 });
  let created = false;
  if (!existsSync(paths.privateJwk)) {
    // false: another call created it first; its key is the stage's key.
    created = createFileExclusively(paths.privateJwk, jwkText(await generatePrivateJwk()), PRIVATE_FILE_MODE);
  }
  const privateJwk = readJwkFile(paths.privateJwk);
  if (privateJwk === undefined) throw new MissingStageKeyError(stage, paths.privateJwk);
  const publicJwk = await publicJwkOf(privateJwk);
  const existing = readJwkFile(paths.publicJwk);
  let publicKeyWritten = false;
  if (existing === undefined) {
    // false: another call wrote the same derived key first.
    publicKeyWritten = createFileExclusively(paths.publicJwk, jwkText(publicJwk), PUBLIC_FILE_MODE);
  } else if (!(await isSamePublicKey(existing, publicJwk))) {
    replaceFile(paths.publicJwk, jwkText(publicJwk), PUBLIC_FILE_MODE);
    publicKeyWritten = true;
  }
  return { created, publicKeyWritten, paths, kid: publicJwk.kid ?? '' };
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
