/**
 * `ws-notify token --user <id> [--stage local] [--ttl 1h]`: prints a signed JWT for the user and
 * nothing else, so `TOKEN=$(npx ws-notify token --user 1234)` works. The key pair of `local` is
 * made on first use; any other declared stage needs `ws-notify keys` first (one line on stderr,
 * exit 1, no key made). The stack of a CDK app run by `ws-notify start --app` is a stage too, by
 * its stack's name, while it runs.
 */
import { maxTokenLifetimeSecondsOf } from '../../infra/stages';
import { decode, UserId } from '../commons/codecs';
import { issueStageToken } from '../tooling/stage-tokens';
import { parseStageOrAppStack, UsageError } from './cli-support';
import { defineCommand } from './command';
import { parseDurationSeconds } from './durations';
import { runAsProcess } from './ws-notify';

export const tokenCommand = defineCommand({
  name: 'token',
  summary: 'print a signed JWT for a user, and nothing else',
  usage: '--user ID [--stage NAME] [--ttl DURATION]',
  description: [
    "Prints a JWT for the user, signed with the stage's generated ES256 key, and nothing else on stdout,",
    'so that a shell can capture it. The key pair of stage local is made on first use; another stage',
    'needs `ws-notify keys --stage NAME` first. A stage whose tokens come from an identity provider',
    '(a JWKS URL) has no key here: get its tokens from that provider.',
  ].join('\n'),
  flags: {
    user: { type: 'string', value: 'ID', expects: '1 to 128 characters', description: "the user (the token's sub)", required: true },
    stage: {
      type: 'string',
      value: 'NAME',
      expects: 'a stage of infra/stages.ts, or the stack name of a running `start --app`',
      description: 'whose key signs',
      default: 'local',
    },
    ttl: { type: 'string', value: 'DURATION', expects: "90s, 15m, 2h or seconds, up to the stage's maximum", description: 'how long the token lives', default: '1h' },
  },
  examples: ['TOKEN=$(npx ws-notify token --user 1234)', 'npx ws-notify token --user 1234 --stage prod --ttl 15m'],
  async run(flags, streams) {
    if (!decode(UserId, flags.user).ok) throw new UsageError('--user must be 1 to 128 characters');
    const ttlSeconds = parseDurationSeconds(flags.ttl);
    if (ttlSeconds === undefined) throw new UsageError(`--ttl must look like 90s, 15m, 2h or a number of seconds, got "${flags.ttl}"`);
    const stage = parseStageOrAppStack(flags.stage);
    const maxLifetime = maxTokenLifetimeSecondsOf(stage);
    if (ttlSeconds > maxLifetime) {
      throw new UsageError(`--ttl must be at most ${maxLifetime} seconds, the longest token stage "${stage.name}" accepts, got "${flags.ttl}"`);
    }
    const token = await issueStageToken(stage, { userId: flags.user, ttlSeconds });
    streams.stdout.write(`${token}\n`);
  },
});

if (require.main === module) runAsProcess('token');
