/**
 * `npm start` as a user runs it (docs/local.md): the `Local stack ready` line, the endpoints file, a
 * client that can connect with the printed command's token, and a clean exit on SIGTERM/SIGINT.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PROJECT_ROOT } from '../../../src/tooling/project-paths';
import type { StageEndpoints } from '../../../src/tooling/endpoints-file';
import { frame, runNpmScript } from '../../helpers/local-stack';
import { connectClient } from '../../helpers/ws-client';

interface Started {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function npmStart(args: readonly string[], env: Record<string, string>): Started {
  const child = spawn('npm', ['start', '--', ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, as a terminal's Ctrl-C would signal
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function untilReady(started: Started, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!/^Local stack ready/m.test(started.stdout())) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited early: ${started.stderr()}`);
    if (Date.now() > deadline) throw new Error(`no ready line within ${timeoutMs} ms: ${started.stdout()} ${started.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return started.stdout();
}

describe('Command: npm start', () => {
  let home: string;
  let env: Record<string, string>;

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-start-'));
    env = { WS_NOTIFY_KEYS_DIR: path.join(home, 'keys'), WS_NOTIFY_STATE_DIR: path.join(home, 'state') };
  });

  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('starts, publishes its endpoints, serves a client, and on SIGTERM closes it with 1001 and exits 0', async () => {
    const started = npmStart(['--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--quiet'], env);
    try {
      const output = await untilReady(started);
      const endpointsFile = path.join(home, 'state', 'local', 'endpoints.json');
      const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as StageEndpoints;

      expect(output).toContain(endpoints.websocketUrl);
      expect(output).toContain(`npx wscat -c "${endpoints.websocketUrl}?token=$(npx ws-notify token --user 1234)"`);
      expect(endpoints).toMatchObject({ stage: 'local', authMode: 'authorizer', websocketUrl: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/local$/) as unknown });
      expect(Object.keys(endpoints.queues)).toEqual(expect.arrayContaining(['NotifyUser', 'NotifyConnection', 'NotifyUserDeadLetter', 'NotifyConnectionDeadLetter']));
      expect(started.stderr()).toBe('');

      // The token command of the printed line, then a client.
      const token = await runNpmScript('token', ['--user', '1234'], env);
      const client = await connectClient(`${endpoints.websocketUrl}?token=${token.stdout.trim()}`);
      expect(frame(await client.request('{"action":"ping"}')).type).toBe('pong');

      process.kill(-started.child.pid!, 'SIGTERM');
      const [closed, exit] = await Promise.all([client.closed, started.exited]);

      expect(closed.code).toBe(1001);
      expect(exit.code).toBe(0);
      expect(existsSync(endpointsFile)).toBe(false);
      expect(started.stdout()).toContain('Local stack stopped.');
    } finally {
      if (started.child.exitCode === null) process.kill(-started.child.pid!, 'SIGKILL');
    }
  });

  it('prints the authorize message to paste in mode action, and stops on SIGINT with exit 0', async () => {
    const started = npmStart(['--stage', 'dev', '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--quiet'], env);
    try {
      const output = await untilReady(started);

      const endpoints = () => JSON.parse(readFileSync(path.join(home, 'state', 'dev', 'endpoints.json'), 'utf8')) as StageEndpoints;
      expect(output).toContain('auth mode "action"');
      expect(output).toContain(`npx wscat -c ${endpoints().websocketUrl} -w -1 -x "$(printf '{"action":"authorize","token":"%s"}' "$(npx ws-notify token --stage dev --user 1234)")"`);
      process.kill(-started.child.pid!, 'SIGINT');
      expect((await started.exited).code).toBe(0);
    } finally {
      if (started.child.exitCode === null) process.kill(-started.child.pid!, 'SIGKILL');
    }
  });

  it.each([
    [['--port', 'abc'], /--port must be a port number/],
    [['--auth-mode', 'magic'], /--auth-mode must be one of authorizer, action/],
    [['--stage', 'nowhere'], /unknown stage "nowhere"/],
    [['--bogus'], /^start: unknown flag --bogus \(see npx ws-notify start --help\)$/m],
    [['--idle-timeout', '-5'], /^start: --idle-timeout must be a whole number of seconds \(1 or more\), got "-5"$/m],
    [['--stage', '--quiet'], /^start: --stage needs a value: a stage of infra\/stages\.ts, got the flag --quiet/m],
  ])('refuses %j with one line on stderr and a non-zero exit', async (args, message) => {
    const run = await runNpmScript('start', args, env);

    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
  });

  it.each([
    ['DynamoDB', '--dynamodb-port'],
    ['SQS', '--sqs-port'],
  ])('exits 1 in one line when the %s port is in use, with nothing left listening', async (service, flag) => {
    // Prepare: a port held by another server, and a free one for the service that does start.
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const busyPort = (busy.address() as net.AddressInfo).port;
    const other = await freePort();
    const otherFlag = flag === '--sqs-port' ? '--dynamodb-port' : '--sqs-port';
    try {
      // Act: the run ends by itself (a hang fails the test by its timeout).
      const run = await runNpmScript('start', ['--port', '0', flag, String(busyPort), otherFlag, String(other), '--quiet'], env);

      // Assess
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`start: ${service} cannot listen on 127.0.0.1:${busyPort}: the port is in use\n`);
      // The service that had started is closed: its port can be taken again.
      const reuse = net.createServer();
      await new Promise<void>((resolve, reject) => reuse.once('error', reject).listen(other, '127.0.0.1', resolve));
      await new Promise((resolve) => reuse.close(resolve));
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});

describe('Command: npm start, the gateway port in use', () => {
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-start-'));
  });

  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('exits 1 in one line, with DynamoDB and SQS, started before the gateway, closed again', async () => {
    // Prepare: the gateway's port held by another server, free ports for the services.
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const busyPort = (busy.address() as net.AddressInfo).port;
    const [dynamodbPort, sqsPort] = [await freePort(), await freePort()];
    const env = { WS_NOTIFY_KEYS_DIR: path.join(home, 'keys'), WS_NOTIFY_STATE_DIR: path.join(home, 'state') };
    try {
      // Act
      const run = await runNpmScript('start', ['--port', String(busyPort), '--dynamodb-port', String(dynamodbPort), '--sqs-port', String(sqsPort), '--quiet'], env);

      // Assess
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`start: the gateway cannot listen on 127.0.0.1:${busyPort}: the port is in use\n`);
      for (const port of [dynamodbPort, sqsPort]) {
        const reuse = net.createServer();
        await new Promise<void>((resolve, reject) => reuse.once('error', reject).listen(port, '127.0.0.1', resolve));
        await new Promise((resolve) => reuse.close(resolve));
      }
      expect(existsSync(path.join(home, 'state', 'local', 'endpoints.json'))).toBe(false);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
