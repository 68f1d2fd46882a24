/**
 * `npm run token -- --user <id> [--stage local] [--ttl 1h]`: prints a signed JWT for the user and
 * nothing else, so `TOKEN=$(npm run -s token -- --user 1234)` works. The key pair of `local` is made
 * on first use; any other stage needs `npm run keys` first (one line on stderr, exit 1, no key
 * made). Bad flags: one line on stderr, exit 2.
 */
import { maxTokenLifetimeSecondsOf } from '../../infra/stages';
import { decode, UserId } from '../commons/codecs';
import { parseFlags, parseStage, requireFlag, runCli, UsageError } from './cli-support';
import { parseDurationSeconds } from './durations';
import { issueStageToken } from '../tooling/stage-tokens';

async function main(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, {
    user: { type: 'string' },
    stage: { type: 'string', default: 'local' },
    ttl: { type: 'string', default: '1h' },
  });
  const userId = requireFlag(flags.user, 'user');
  if (!decode(UserId, userId).ok) throw new UsageError('--user must be 1 to 128 characters');
  const ttlSeconds = parseDurationSeconds(flags.ttl);
  if (ttlSeconds === undefined) throw new UsageError(`--ttl must look like 90s, 15m, 2h or a number of seconds, got "${flags.ttl}"`);
  const stage = parseStage(flags.stage);
  const maxLifetime = maxTokenLifetimeSecondsOf(stage);
  if (ttlSeconds > maxLifetime) {
    throw new UsageError(`--ttl must be at most ${maxLifetime} seconds, the longest token stage "${stage.name}" accepts, got "${flags.ttl}"`);
  }
  const token = await issueStageToken(stage, { userId, ttlSeconds });
  process.stdout.write(`${token}\n`);
}

runCli(main, 'token');
