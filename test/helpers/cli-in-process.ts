/**
 * A `ws-notify` command run in the test's own process (runWsNotify, which src/cli/launch.js runs
 * through runAsProcess), its output collected: for the refusals and errors of a command, which a spawned Node.js
 * start (tsx and the command's modules, about half a second each, more on a busy machine) would
 * check no better. Every command keeps at least one spawned end-to-end case, which shows that the
 * executable runs it (docs/testing.md).
 */
import { runWsNotify } from '../../src/cli/ws-notify';

export interface InProcessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `ws-notify <argv…>` with the environment variables given set for the run (the commands read
 * WS_NOTIFY_KEYS_DIR, WS_NOTIFY_STATE_DIR and the AWS settings when they run) and restored after.
 * The test files of a worker run one test at a time, so the variables of one run are never seen by
 * another.
 */
export async function runInProcess(argv: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<InProcessRun> {
  const before = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  let stdout = '';
  let stderr = '';
  try {
    const code = await runWsNotify(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
    return { code, stdout, stderr };
  } finally {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
