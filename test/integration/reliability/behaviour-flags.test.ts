/**
 * `npm start -- --index-lag MS --sqs-duplicates RATE --drop-disconnect RATE` as a user runs it: a
 * bad value is one line on stderr and exit code 2; good ones are announced in the start-up output
 * and reach the running stack (here: the user index does not show a connection just made, while
 * its record is in the table).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { getStage } from '../../../infra/stages';
import { issueStageToken } from '../../../src/tooling/stage-tokens';
import { PROJECT_ROOT } from '../../../src/tooling/project-paths';
import { frame } from '../../helpers/local-stack';
import { npmStart, ThrowawayHome, type StartedCommand } from '../../helpers/npm-start';
import { connectClient } from '../../helpers/ws-client';

describe('Command: npm start --index-lag --sqs-duplicates --drop-disconnect', () => {
  let home: ThrowawayHome;
  let env: Record<string, string>;
  let started: StartedCommand | undefined;

  beforeEach(() => {
    home = new ThrowawayHome('ws-notify-behaviours-');
    env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...home.env };
  });

  afterEach(() => {
    started?.kill();
    started = undefined;
    home.remove();
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
    // From the run's template of stage local: start-command.test.ts shows npm start synthesizing.
    const child = npmStart(
      ['--template', home.template(), '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--quiet', '--index-lag', '600000', '--sqs-duplicates', '0.1', '--drop-disconnect', '0.2'],
      home.env,
      { silent: true },
    );
    started = child;
    expect({ ready: await child.ready, stderr: child.stderr() }).toEqual({ ready: true, stderr: '' });
    const endpoints = home.readEndpoints();
    process.env.WS_NOTIFY_KEYS_DIR = home.env.WS_NOTIFY_KEYS_DIR;
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
    child.signal('SIGINT');
    const { code } = await child.exited;

    // Assess
    expect(child.stdout()).toMatch(
      /^Production behaviours: global secondary indexes show writes 600000 ms late; 10 % of queue messages are delivered twice; 20 % of \$disconnect invocations never happen\.$/m,
    );
    expect(Item?.userId?.S).toBe('lagging');
    expect(Items).toEqual([]);
    expect(child.stderr()).toBe('');
    expect(code).toBe(0);
  });
});
