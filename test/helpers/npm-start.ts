/**
 * `npm start` (or `ws-notify start`) as a user runs it, for the tests of the command itself: in a process group of its
 * own (as a terminal's Ctrl-C signals it), with only PATH, HOME and the given variables in its
 * environment, and a throwaway home for the stage keys and the endpoints file.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { getStage } from '../../infra/stages';
import type { StageEndpoints } from '../../src/tooling/endpoints-file';
import { PROJECT_ROOT } from '../../src/tooling/project-paths';
import { writeRunTemplate } from './shared-synthesis';

/** The line `npm start` prints once the stack serves. */
export const READY_LINE = /^Local stack ready/m;

/** A temporary directory for the stage keys and state of one test's commands. */
export class ThrowawayHome {
  readonly directory: string;
  /** WS_NOTIFY_KEYS_DIR and WS_NOTIFY_STATE_DIR inside it. */
  readonly env: Readonly<Record<string, string>>;

  constructor(prefix: string) {
    this.directory = mkdtempSync(path.join(os.tmpdir(), prefix));
    this.env = { WS_NOTIFY_KEYS_DIR: path.join(this.directory, 'keys'), WS_NOTIFY_STATE_DIR: path.join(this.directory, 'state') };
  }

  /** Where `npm start` publishes the stage's endpoints. */
  endpointsFile(stage = 'local'): string {
    return path.join(this.directory, 'state', stage, 'endpoints.json');
  }

  readEndpoints(stage = 'local'): StageEndpoints {
    return JSON.parse(readFileSync(this.endpointsFile(stage), 'utf8')) as StageEndpoints;
  }

  /**
   * The test run's template of the stage, as declared, written into this home as `cdk synth` writes
   * it, with the run's keys of the stage in this home's keys directory: for `start --template FILE`,
   * which then starts without loading the CDK.
   */
  template(stage = 'local'): string {
    return writeRunTemplate(getStage(stage), path.join(this.directory, 'keys'), path.join(this.directory, 'cdk.out'));
  }

  remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}

export interface StartedCommand {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  stdout(): string;
  stderr(): string;
  /** True once the ready line is out; false if the command ended before it. */
  readonly ready: Promise<boolean>;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** Sends the signal to the command's whole process group. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL to the process group if the command still runs: for `finally` and `afterEach`. */
  kill(): void;
}

/** Spawns `npm start [-s] -- ...args`. */
export function npmStart(args: readonly string[], env: Readonly<Record<string, string>>, options: { readonly silent?: boolean } = {}): StartedCommand {
  return spawnStartCommand('npm', ['start', ...(options.silent === true ? ['-s'] : []), '--', ...args], env);
}

/** Spawns a command that starts the local stack (`npm start`, or the package's `ws-notify start`). */
export function spawnStartCommand(command: string, args: readonly string[], env: Readonly<Record<string, string>>): StartedCommand {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<boolean>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (READY_LINE.test(stdout)) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  const running = (): boolean => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    ready,
    exited,
    signal: (signal) => {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    },
    kill: () => {
      if (running()) process.kill(-(child.pid ?? 0), 'SIGKILL');
    },
  };
}
