/**
 * `npm start -- --fault …` as a user runs it: a good value reaches the running stack (here: every
 * Management API call fails, seen through the unmodified SDK client) and is announced in the
 * start-up output. A bad value is one line on stderr and exit code 2: the start command run
 * in-process (test/helpers/cli-in-process.ts), as the refusals of a command are (docs/testing.md);
 * start-command.test.ts shows a refusal of the spawned command.
 */
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { getStage } from '../../../infra/stages';
import { issueStageToken } from '../../../src/tooling/stage-tokens';
import { runInProcess } from '../../helpers/cli-in-process';
import { frame } from '../../helpers/local-stack';
import { npmStart, ThrowawayHome, type StartedCommand } from '../../helpers/npm-start';
import { connectClient } from '../../helpers/ws-client';

describe('Command: npm start --fault', () => {
  let home: ThrowawayHome;
  let started: StartedCommand | undefined;

  beforeEach(() => {
    home = new ThrowawayHome('ws-notify-fault-');
  });

  afterEach(() => {
    started?.kill();
    started = undefined;
    home.remove();
  });

  it.each([
    ['lambda=0.2', '--fault: unknown name "lambda"'],
    ['dynamodb=2', '--fault: the rate of dynamodb must be from 0 to 1, got "2"'],
    ['management=hang:0.1:2h', '--fault: the hang duration of management must be 1s to 1h (e.g. 40s, 2m), got "2h"'],
  ])('refuses --fault %s with one line on stderr and exit code 2', async (value, message) => {
    // Act
    const run = await runInProcess(['start', '--port', '0', '--fault', value], home.env);

    // Assess
    expect(run.code).toBe(2);
    const usage = 'use name=rate (errors) or name=hang:rate[:duration] (calls never answered, or answered after the duration) with names dynamodb, sqs, management and rates from 0 to 1, e.g. --fault dynamodb=0.2,management=hang:0.05';
    expect(run.stderr).toBe(`start: ${message}; ${usage}\n`);
    expect(run.stdout).not.toContain('Local stack ready');
  });

  it('injects the faults asked for into the running stack and says so', async () => {
    // Prepare
    // From the run's template of stage local: start-command.test.ts shows npm start synthesizing.
    const child = npmStart(['--template', home.template(), '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--quiet', '--fault', 'management=1'], home.env, { silent: true });
    started = child;
    expect({ ready: await child.ready, stderr: child.stderr() }).toEqual({ ready: true, stderr: '' });
    const endpoints = home.readEndpoints();
    process.env.WS_NOTIFY_KEYS_DIR = home.env.WS_NOTIFY_KEYS_DIR;
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
    child.signal('SIGINT');
    const { code } = await child.exited;

    // Assess
    expect(child.stdout()).toMatch(/^Fault injection: management 100 % of calls fail; failures are AWS's throttling or 5xx answers \(the queue pollers are exempt\)\.$/m);
    expect(post).toMatchObject({ $metadata: { httpStatusCode: expect.any(Number) as unknown } });
    expect([429, 500]).toContain((post as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode);
    expect(client.pending).toEqual([]);
    expect(child.stderr()).toBe('');
    expect(code).toBe(0);
  });
});
