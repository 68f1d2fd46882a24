/**
 * `npm start -- --index-lag MS --sqs-duplicates RATE --drop-disconnect RATE` as a user runs it: good
 * values are announced in the start-up output and reach the running stack (here: the user index
 * does not show a connection just made, while its record is in the table). A bad value is one line
 * on stderr and exit code 2: the start command run in-process (test/helpers/cli-in-process.ts), as
 * the refusals of a command are (docs/testing.md); start-command.test.ts shows a refusal of the
 * spawned command.
 */
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { getStage } from '../../../infra/stages';
import { issueStageToken } from '../../../src/tooling/stage-tokens';
import { runInProcess } from '../../helpers/cli-in-process';
import { frame } from '../../helpers/local-stack';
import { npmStart, ThrowawayHome, type StartedCommand } from '../../helpers/npm-start';
import { connectClient } from '../../helpers/ws-client';

describe('Command: npm start --index-lag --sqs-duplicates --drop-disconnect', () => {
  let home: ThrowawayHome;
  let started: StartedCommand | undefined;

  beforeEach(() => {
    home = new ThrowawayHome('ws-notify-behaviours-');
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
  ])('refuses %j with one line on stderr and exit code 2', async (flags, message) => {
    // Act
    const run = await runInProcess(['start', '--port', '0', ...flags], home.env);

    // Assess
    expect(run.code).toBe(2);
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
