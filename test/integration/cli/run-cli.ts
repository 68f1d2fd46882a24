/** Spawns a real command the way the npm scripts run it (`node src/cli/launch.js <name> …`) and collects its output. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnCommand, type CommandRun } from '../../helpers/spawn-command';

export const REPOSITORY_ROOT = path.resolve(__dirname, '../../..');

export type CliRun = Omit<CommandRun, 'signal'>;

export function runCommand(name: 'token' | 'keys' | 'notify', args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  // No AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED from jest's setup: the CLI must silence the SDK itself.
  return spawnCommand(process.execPath, ['src/cli/launch.js', name, ...args], { cwd: REPOSITORY_ROOT, env }).then(({ code, stdout, stderr }) => ({ code, stdout, stderr }));
}

/** A fresh temporary directory, removed by the returned function. */
export function temporaryDirectory(prefix: string): { path: string; remove: () => void } {
  const directory = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { path: directory, remove: () => rmSync(directory, { recursive: true, force: true }) };
}
