import { spawn } from 'node:child_process';
import os from 'node:os';

export interface CommandRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The run's stdout when it exited 0; otherwise an error naming `what`, with the start of its output. */
export function succeeded(run: CommandRun, what: string): string {
  if (run.code !== 0) throw new Error(`${what} failed (${run.code ?? run.signal}): ${run.stderr.slice(0, 3000)}${run.stdout.slice(0, 3000)}`);
  return run.stdout;
}

/**
 * Runs a command to its end and collects its output, with only PATH, HOME and `env` in its
 * environment (nothing of the test process's, such as jest's setup, leaks into it).
 */
export function spawnCommand(command: string, args: readonly string[], options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> }): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
