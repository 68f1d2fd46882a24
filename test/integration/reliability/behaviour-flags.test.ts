/**
 * `npm start -- --index-lag MS --sqs-duplicates RATE --drop-disconnect RATE` as a user runs it: a
 * bad value is one line on stderr and exit code 2; good ones are announced in the start-up output
 * and reach the running stack (here: the user index does not show a connection just made, while
 * its record is in the table).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { getStage } from '../../../infra/stages';
import { issueStageToken } from '../../../src/tooling/stage-tokens';
import type { StageEndpoints } from '../../../src/tooling/endpoints-file';
import { PROJECT_ROOT } from '../../../src/tooling/project-paths';
import { frame } from '../../helpers/local-stack';
import { connectClient } from '../../helpers/ws-client';

describe('Command: npm start --index-lag --sqs-duplicates --drop-disconnect', () => {
  let home: string;
  let env: Record<string, string>;
  let started: ChildProcess | undefined;

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-behaviours-'));
    env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), WS_NOTIFY_KEYS_DIR: path.join(home, 'keys'), WS_NOTIFY_STATE_DIR: path.join(home, 'state') };
  });

  afterEach(() => {
    if (started?.pid !== undefined && started.exitCode === null && started.signalCode === null) process.kill(-started.pid, 'SIGKILL');
    started = undefined;
    rmSync(home, { recursive: true, force: true });
  });

  it.each([
    [['--index-lag', '1.5'], '--index-lag must be a whole number of milliseconds from 0 to 600000, got "1.5"'],
    [['--sqs-duplicates', '10%'], '--sqs-duplicates must be a fraction from 0 to 1 (e.g. 0.1), got "10%"'],
    [['--drop-disconnect', '2'], '--drop-disconnect must be a fraction from 0 to 1 (e.g. 0.1), got "2"'],
  ])('refuses %j with one line on stderr and exit code 2', (flags, message) => {
    // Act
    const run = spawnSync('npm', ['start', '-s', '--', '--port', '0', ...flags], { cwd: PROJECT_ROOT, env, encoding: 'utf8' });

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`start: ${message}\n`);
    expect(run.stdout).not.toContain('Local stack ready');
  });

  it('announces the behaviours asked for and runs the stack with them', async () => {
    // Prepare: a lag far longer than the test.
    const child = spawn(
      'npm',
      ['start', '-s', '--', '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--quiet', '--index-lag', '600000', '--sqs-duplicates', '0.1', '--drop-disconnect', '0.2'],
      { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    started = child;
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Ready once the start-up output says so, or not at all if the command ends first.
    const ready = new Promise<boolean>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (/^Local stack ready/m.test(stdout)) resolve(true);
      });
      void exited.then(() => resolve(false));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    expect({ ready: await ready, stderr }).toEqual({ ready: true, stderr: '' });
    const endpoints = JSON.parse(readFileSync(path.join(home, 'state', 'local', 'endpoints.json'), 'utf8')) as StageEndpoints;
    process.env.WS_NOTIFY_KEYS_DIR = env.WS_NOTIFY_KEYS_DIR;
    const token = await issueStageToken(getStage('local'), { userId: 'lagging', ttlSeconds: 300 });
    const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodbEndpoint ?? '', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

    // Act: a connection authorized at its handshake (its record is written by $connect).
    const client = await connectClient(`${endpoints.websocketUrl}?token=${token}`);
    const { connectionId } = frame(await client.request(JSON.stringify({ action: 'ping' }), 10_000)) as { connectionId: string };
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: endpoints.tableName, Key: { connectionId: { S: connectionId } }, ConsistentRead: true }));
    const { Items } = await dynamodb.send(
      new QueryCommand({ TableName: endpoints.tableName, IndexName: 'byUser', KeyConditionExpression: 'userId = :u', ExpressionAttributeValues: { ':u': { S: 'lagging' } } }),
    );
    client.socket.terminate();
    dynamodb.destroy();
    process.kill(-(child.pid ?? 0), 'SIGINT');
    const code = await exited;

    // Assess
    expect(stdout).toMatch(
      /^Production behaviours: global secondary indexes show writes 600000 ms late; 10 % of queue messages are delivered twice; 20 % of \$disconnect invocations never happen\.$/m,
    );
    expect(Item?.userId?.S).toBe('lagging');
    expect(Items).toEqual([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
