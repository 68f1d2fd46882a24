/**
 * `npm run keys -- --stage <name>`: makes the stage's ES256 key pair in `.keys/` when it is
 * missing and says which files it wrote, or that they already exist; a missing public key is
 * derived again from the private key. Never prints the private key.
 */
import path from 'node:path';
import { ensureStageKeyPair } from '../tooling/stage-keys';
import { parseFlags, parseStage, runCli } from './cli-support';
import { assertGeneratedKeys } from '../tooling/stage-tokens';

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') ? file : relative;
}

async function main(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, { stage: { type: 'string', default: 'local' } });
  const stage = parseStage(flags.stage);
  assertGeneratedKeys(stage);
  const { created, publicKeyWritten, paths, kid } = await ensureStageKeyPair(stage.name);
  const files = `${shown(paths.privateJwk)} (private, stays on this machine) and ${shown(paths.publicJwk)} (public)`;
  let outcome = `the key pair of stage "${stage.name}" already exists (kid ${kid})`;
  if (created) outcome = `created the ES256 key pair of stage "${stage.name}" (kid ${kid})`;
  else if (publicKeyWritten) outcome = `wrote the public key of stage "${stage.name}" again, derived from its existing private key (kid ${kid})`;
  process.stdout.write(`${outcome}: ${files}\n`);
}

runCli(main, 'keys');
