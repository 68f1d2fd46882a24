/**
 * `npm start -- --fault …` as a user runs it: a bad value is one line on stderr and exit code 2; a
 * good one reaches the running stack (here: every Management API call fails, seen through the
 * unmodified SDK client) and is announced in the start-up output.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { getStage } from '../../../infra/stages';
import { issueStageToken } from '../../../src/tooling/stage-tokens';
import type { StageEndpoints } from '../../../src/tooling/endpoints-file';
import { PROJECT_ROOT } from '../../../src/tooling/project-paths';
import { frame } from '../../helpers/local-stack';
import { connectClient } from '../../helpers/ws-client';

describe('Command: npm start --fault', () => {
  let home: string;
  let env: Record<string, string>;
  let started: ChildProcess | undefined;

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-fault-'));
    env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), WS_NOTIFY_KEYS_DIR: path.join(home, 'keys'), WS_NOTIFY_STATE_DIR: path.join(home, 'state') };
  });

  afterEach(() => {
    if (started?.pid !== undefined && started.exitCode === null && started.signalCode === null) process.kill(-started.pid, 'SIGKILL');
    started = undefined;
    rmSync(home, { recursive: true, force: true });
  });

  it.each([
    ['lambda=0.2', '--fault: unknown name "lambda"'],
    ['dynamodb=2', '--fault: the rate of dynamodb must be from 0 to 1, got "2"'],
    ['management=hang:0.1:2h', '--fault: the hang duration of management must be 1s to 1h (e.g. 40s, 2m), got "2h"'],
  ])('refuses --fault %s with one line on stderr and exit code 2', (value, message) => {
    // Act
    const run = spawnSync('npm', ['start', '-s', '--', '--port', '0', '--fault', value], { cwd: PROJECT_ROOT, env, encoding: 'utf8' });

    // Assess
    expect(run.status).toBe(2);
    const usage = 'use name=rate (errors) or name=hang:rate[:duration] (calls never answered, or answered after the duration) with names dynamodb, sqs, management and rates from 0 to 1, e.g. --fault dynamodb=0.2,management=hang:0.05';
    expect(run.stderr).toBe(`start: ${message}; ${usage}\n`);
    expect(run.stdout).not.toContain('Local stack ready');
  });

  it('injects the faults asked for into the running stack and says so', async () => {
    // Prepare
    const child = spawn('npm', ['start', '-s', '--', '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--quiet', '--fault', 'management=1'], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    started = child;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Ready once the banner is out; an exit first means it never will be.
    await new Promise<void>((resolve) => {
      child.stdout.on('data', () => {
        if (/^Local stack ready/m.test(stdout)) resolve();
      });
      child.on('close', () => resolve());
    });
    expect({ ready: /^Local stack ready/m.test(stdout), stderr }).toEqual({ ready: true, stderr: '' });
    const endpoints = JSON.parse(readFileSync(path.join(home, 'state', 'local', 'endpoints.json'), 'utf8')) as StageEndpoints;
    process.env.WS_NOTIFY_KEYS_DIR = env.WS_NOTIFY_KEYS_DIR;
    const token = await issueStageToken(getStage('local'), { userId: 'faulted', ttlSeconds: 300 });
    const client = await connectClient(`${endpoints.websocketUrl}?token=${token}`);
    const { connectionId } = frame(await client.request(JSON.stringify({ action: 'ping' }), 10_000)) as { connectionId: string };
    const api = new ApiGatewayManagementApiClient({ endpoint: endpoints.managementApiUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });

    // Act
    const post = await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode('"hello"') })).then(
      () => undefined,
      (error: unknown) => error,
    );
    // A frame the failed POST had sent would have come before this pong, on the same socket.
    expect(frame(await client.request(JSON.stringify({ action: 'ping' }), 10_000))).toMatchObject({ type: 'pong' });
    client.socket.terminate();
    api.destroy();
    process.kill(-(child.pid ?? 0), 'SIGINT');
    const code = await exited;

    // Assess
    expect(stdout).toMatch(/^Fault injection: management 100 % of calls fail; failures are AWS's throttling or 5xx answers \(the queue pollers are exempt\)\.$/m);
    expect(post).toMatchObject({ $metadata: { httpStatusCode: expect.any(Number) as unknown } });
    expect([429, 500]).toContain((post as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode);
    expect(client.pending).toEqual([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
