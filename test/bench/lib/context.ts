/** What every benchmark section gets: the run's settings, the temporary home, token issuing and progress output. */
import path from 'node:path';
import { getStage, withOverrides, type AuthMode } from '../../../infra/stages';
import { issueStageToken } from '../../../src/tooling/stage-tokens';
import { RpcChild } from './rpc';
import type { ServerHostApi } from '../hosts/server-host-api';

export interface BenchSettings {
  /** Smoke mode: fewer samples, smaller sizes; figures are indicative only. */
  readonly quick: boolean;
  /** Repeats of each side-by-side measurement (medians are reported). */
  readonly rounds: number;
}

export class BenchContext {
  constructor(
    readonly settings: BenchSettings,
    /** Temporary directory with `keys/` and `state/` (WS_NOTIFY_KEYS_DIR / WS_NOTIFY_STATE_DIR of every process). */
    readonly home: string,
  ) {}

  get env(): Record<string, string> {
    return {
      WS_NOTIFY_KEYS_DIR: path.join(this.home, 'keys'),
      WS_NOTIFY_STATE_DIR: path.join(this.home, 'state'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }

  /** A token of the local stage for the user (the stage's generated key, as `npm run token`). */
  token(userId: string, authMode: AuthMode = 'authorizer', ttlSeconds = 3600): Promise<string> {
    return issueStageToken(withOverrides(getStage('local'), { authMode }), { userId, ttlSeconds });
  }

  /** A server host process (local stack or bare servers), with --expose-gc for memory readings. */
  serverHost(label: string): RpcChild<ServerHostApi> {
    return RpcChild.start<ServerHostApi>(path.join(__dirname, '..', 'hosts', 'server-host.ts'), { label, env: this.env, nodeFlags: ['--expose-gc'] });
  }

  progress(line: string): void {
    process.stdout.write(`  ${line}\n`);
  }
}
