/**
 * `npm start` serves the console on the gateway's port, prints its URL, publishes it in the
 * endpoints file, and still stops cleanly on SIGINT while a page holds its event stream open.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StageEndpoints } from '../../../src/tooling/endpoints-file';
import { PROJECT_ROOT } from '../../../src/tooling/project-paths';
import { eventually } from '../../helpers/local-stack';
import { EventStreamReader, httpRequest } from './console-http';

describe('Command: npm start (console)', () => {
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-console-start-'));
  });

  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('prints the console URL, serves the page and its stream there, and exits 0 on SIGINT with the stream open', async () => {
    const child = spawn('npm', ['start', '--', '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), WS_NOTIFY_KEYS_DIR: path.join(home, 'keys'), WS_NOTIFY_STATE_DIR: path.join(home, 'state') },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let stream: EventStreamReader | undefined;
    try {
      await eventually('the ready line', () => (/^Local stack ready/m.test(stdout) ? true : child.exitCode !== null ? Promise.reject(new Error(stderr)) : undefined), 60_000);
      const printed = /^ {2}Console: +(\S+)$/m.exec(stdout)?.[1];
      const endpoints = JSON.parse(readFileSync(path.join(home, 'state', 'local', 'endpoints.json'), 'utf8')) as StageEndpoints;

      expect(printed).toBe(endpoints.consoleUrl);
      expect(printed).toBe(`${endpoints.websocketUrl.replace(/^ws:/, 'http:').replace(/local$/, '')}`);
      const page = await httpRequest(printed!);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>ws-notify console</title>');
      stream = await EventStreamReader.open(`${printed!}api/events`);
      await stream.waitFor('snapshot');

      process.kill(-child.pid!, 'SIGINT');

      expect(await exited).toBe(0);
      await stream.ended();
      expect(stdout).toContain('Local stack stopped.');
      expect(stderr).toBe('');
    } finally {
      stream?.close();
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
