/**
 * `npm run keys -- --stage <name>`: makes the stage's ES256 key pair in `.keys/` when it is
 * missing and says which files it wrote, or that they already exist. Never prints the private key.
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
  const { created, paths, kid } = await ensureStageKeyPair(stage.name);
  const files = `${shown(paths.privateJwk)} (private, stays on this machine) and ${shown(paths.publicJwk)} (public)`;
  process.stdout.write(
    created
      ? `created the ES256 key pair of stage "${stage.name}" (kid ${kid}): ${files}\n`
      : `the key pair of stage "${stage.name}" already exists (kid ${kid}): ${files}\n`,
  );
}

runCli(main, 'keys');
