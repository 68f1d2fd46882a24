/**
 * `ws-notify keys --stage <name>`: makes the stage's ES256 key pair in `.keys/` when it is missing
 * and says which files it wrote, or that they already exist; a missing public key is derived again
 * from the private key. Never prints the private key.
 */
import path from 'node:path';
import { ensureStageKeyPair } from '../tooling/stage-keys';
import { assertGeneratedKeys } from '../tooling/stage-tokens';
import { parseStage } from './cli-support';
import { defineCommand } from './command';
import { runAsProcess } from './ws-notify';

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') ? file : relative;
}

export const keysCommand = defineCommand({
  name: 'keys',
  summary: "make a stage's ES256 signing key pair in .keys/ if it is missing",
  usage: '[--stage NAME]',
  description: [
    "Makes the stage's ES256 key pair as JWKs in .keys/<stage>.private.jwk.json (stays on this machine,",
    'never printed) and .keys/<stage>.public.jwk.json (baked into the stack by synth and deploy), unless',
    'it exists. Tokens of the stage are signed with it (ws-notify token).',
  ].join('\n'),
  flags: {
    stage: { type: 'string', value: 'NAME', expects: 'a stage of infra/stages.ts', description: 'whose key pair', default: 'local' },
  },
  examples: ['npx ws-notify keys --stage prod'],
  async run(flags, streams) {
    const stage = parseStage(flags.stage);
    assertGeneratedKeys(stage);
    const { created, publicKeyWritten, paths, kid } = await ensureStageKeyPair(stage.name);
    const files = `${shown(paths.privateJwk)} (private, stays on this machine) and ${shown(paths.publicJwk)} (public)`;
    let outcome = `the key pair of stage "${stage.name}" already exists (kid ${kid})`;
    if (created) outcome = `created the ES256 key pair of stage "${stage.name}" (kid ${kid})`;
    else if (publicKeyWritten) outcome = `wrote the public key of stage "${stage.name}" again, derived from its existing private key (kid ${kid})`;
    streams.stdout.write(`${outcome}: ${files}\n`);
  },
});

if (require.main === module) runAsProcess('keys');
