/**
 * `npm start` as a user runs it (docs/local.md): the `Local stack ready` line, the endpoints file, a
 * client that can connect with the printed command's token, and a clean exit on SIGTERM/SIGINT.
 * The first test synthesizes the stage as `npm start` does by default; the others start from the
 * test run's template of the stage (`--template`, ThrowawayHome.template()), which spares each
 * of them loading the CDK and synthesizing (seconds per start). The token of the printed client
 * command is made by the token command in-process (test/helpers/cli-in-process.ts): the spawned
 * token command is test/integration/cli/token.test.ts's. A port in use: the gateway's is
 * spawned through npm (the command exits by itself, all closed); DynamoDB's and SQS's run the same
 * command in-process, which spares a spawned npm and Node.js each.
 */
import { existsSync } from 'node:fs';
import net from 'node:net';
import { runInProcess } from '../../helpers/cli-in-process';
import { frame, runNpmScript } from '../../helpers/local-stack';
import { npmStart, ThrowawayHome, type StartedCommand } from '../../helpers/npm-start';
import { connectClient } from '../../helpers/ws-client';

/** The start-up output once the ready line is out; throws if the command ended first. */
async function untilReady(started: StartedCommand): Promise<string> {
  if (!(await started.ready)) throw new Error(`npm start exited early: ${started.stderr()}`);
  return started.stdout();
}

describe('Command: npm start', () => {
  let home: ThrowawayHome;
  let env: Readonly<Record<string, string>>;

  beforeEach(() => {
    home = new ThrowawayHome('ws-notify-start-');
    env = home.env;
  });

  afterEach(() => {
    home.remove();
  });

  it('starts, publishes its endpoints, serves a client, and on SIGTERM closes it with 1001 and exits 0', async () => {
    const started = npmStart(['--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--quiet'], env);
    try {
      const output = await untilReady(started);
      const endpointsFile = home.endpointsFile();
      const endpoints = home.readEndpoints();

      expect(output).toContain(endpoints.websocketUrl);
      expect(output).toContain(`npx wscat -c "${endpoints.websocketUrl}?token=$(npx ws-notify token --user 1234)"`);
      expect(endpoints).toMatchObject({ stage: 'local', authMode: 'authorizer', websocketUrl: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/local$/) as unknown });
      expect(Object.keys(endpoints.queues)).toEqual(expect.arrayContaining(['NotifyUser', 'NotifyConnection', 'NotifyUserDeadLetter', 'NotifyConnectionDeadLetter']));
      expect(started.stderr()).toBe('');

      // The token command of the printed line, then a client.
      const token = await runInProcess(['token', '--user', '1234'], env);
      expect(token).toMatchObject({ code: 0, stderr: '' });
      const client = await connectClient(`${endpoints.websocketUrl}?token=${token.stdout.trim()}`);
      expect(frame(await client.request('{"action":"ping"}')).type).toBe('pong');

      started.signal('SIGTERM');
      const [closed, exit] = await Promise.all([client.closed, started.exited]);

      expect(closed.code).toBe(1001);
      expect(exit.code).toBe(0);
      expect(existsSync(endpointsFile)).toBe(false);
      expect(started.stdout()).toContain('Local stack stopped.');
    } finally {
      started.kill();
    }
  });

  it('prints the authorize message to paste in mode action, and stops on SIGINT with exit 0', async () => {
    const started = npmStart(['--stage', 'dev', '--template', home.template('dev'), '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--quiet'], env);
    try {
      const output = await untilReady(started);

      const endpoints = () => home.readEndpoints('dev');
      expect(output).toContain('auth mode "action"');
      expect(output).toContain(`npx wscat -c ${endpoints().websocketUrl} -w -1 -x "$(printf '{"action":"authorize","token":"%s"}' "$(npx ws-notify token --stage dev --user 1234)")"`);
      started.signal('SIGINT');
      expect((await started.exited).code).toBe(0);
    } finally {
      started.kill();
    }
  });

  // Through npm, one refusal; every other refusal of start is checked in-process (test/unit/cli/ws-notify.test.ts,
  // which has --idle-timeout -1 among them).
  it.each([[['--bogus'], /^start: unknown flag --bogus \(see npx ws-notify start --help\)$/m]])('refuses %j with one line on stderr and a non-zero exit', async (args, message) => {
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
      // Act: in-process, the command returns its exit code once what it had started is closed (a
      // hang fails the test by its timeout).
      const run = await runInProcess(['start', '--template', home.template(), '--port', '0', flag, String(busyPort), otherFlag, String(other), '--quiet'], env);

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
  let home: ThrowawayHome;

  beforeEach(() => {
    home = new ThrowawayHome('ws-notify-start-');
  });

  afterEach(() => {
    home.remove();
  });

  it('exits 1 in one line, with DynamoDB and SQS, started before the gateway, closed again', async () => {
    // Prepare: the gateway's port held by another server, free ports for the services.
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const busyPort = (busy.address() as net.AddressInfo).port;
    const [dynamodbPort, sqsPort] = [await freePort(), await freePort()];
    const { env } = home;
    try {
      // Act
      const run = await runNpmScript('start', ['--template', home.template(), '--port', String(busyPort), '--dynamodb-port', String(dynamodbPort), '--sqs-port', String(sqsPort), '--quiet'], env);

      // Assess
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`start: the gateway cannot listen on 127.0.0.1:${busyPort}: the port is in use\n`);
      for (const port of [dynamodbPort, sqsPort]) {
        const reuse = net.createServer();
        await new Promise<void>((resolve, reject) => reuse.once('error', reject).listen(port, '127.0.0.1', resolve));
        await new Promise((resolve) => reuse.close(resolve));
      }
      expect(existsSync(home.endpointsFile())).toBe(false);
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
