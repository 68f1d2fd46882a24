import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { runInProcess } from '../../helpers/cli-in-process';
import { runCommand, temporaryDirectory } from './run-cli';

describe('CLI: ws-notify notify', () => {
  let stateDir: { path: string; remove: () => void };

  beforeEach(() => {
    stateDir = temporaryDirectory('ws-notify-state-');
  });

  afterEach(() => {
    stateDir.remove();
  });

  function writeEndpoints(stage: string, file: 'endpoints.json' | 'deployed.json', content: unknown): void {
    mkdirSync(path.join(stateDir.path, stage), { recursive: true });
    writeFileSync(path.join(stateDir.path, stage, file), typeof content === 'string' ? content : JSON.stringify(content));
  }

  // The refusals and endpoint errors run in-process; sending to SQS is the spawned executable's case.
  describe('argument errors: one line on stderr, exit 2, nothing sent', () => {
    it.each([
      ['neither --user nor --connection', ['--data', '1'], /exactly one of --user and --connection/],
      ['both --user and --connection', ['--user', '1', '--connection', 'c', '--data', '1'], /exactly one of --user and --connection/],
      ['no --data', ['--user', '1'], /--data is required/],
      ['--data that is not JSON', ['--user', '1', '--data', '{download:/reports/42}'], /--data must be valid JSON/],
      ['an unquoted string as --data', ['--connection', 'c', '--data', 'hello'], /--data must be valid JSON/],
      ['an empty --id', ['--user', '1', '--data', '1', '--id', ''], /--id must be 1 to 128 characters/],
      ['a 129-character --user', ['--user', 'u'.repeat(129), '--data', '1'], /--user must be 1 to 128 characters/],
      ['an unknown flag', ['--user', '1', '--data', '1', '--queue', 'x'], /unknown flag --queue \(see npx ws-notify notify --help\)/],
      // Under the 128 KiB limit of one command-line argument, over the 131,072-byte frame once wrapped.
      ['--data too large for a WebSocket message', ['--user', '1', '--data', JSON.stringify('x'.repeat(131_000))], /--data is too large/],
    ])('%s', async (_label, args, message) => {
      const run = await runInProcess(['notify', ...args], { WS_NOTIFY_STATE_DIR: stateDir.path });

      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^notify: [^\n]+\n$/);
      expect(run.stderr).toMatch(message);
    });
  });

  describe('endpoint errors: one line on stderr, exit 1', () => {
    it('without an endpoints file', async () => {
      const run = await runInProcess(['notify', '--user', '1', '--data', '1'], { WS_NOTIFY_STATE_DIR: stateDir.path });

      expect(run).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'notify: no endpoints for stage "local": start the local stack (npx ws-notify start --stage local) or deploy the stage (npx ws-notify deploy --stage local)\n',
      });
    });

    it('with the endpoints file of a local stack that is no longer running', async () => {
      writeEndpoints('local', 'endpoints.json', { stage: 'local', queues: {}, pid: 2 ** 22 + 12345 });

      const run = await runInProcess(['notify', '--user', '1', '--data', '1'], { WS_NOTIFY_STATE_DIR: stateDir.path });

      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^notify: the local stack of stage "local" is not running .*\n$/);
    });

    it('with an endpoints file that is not JSON', async () => {
      writeEndpoints('dev', 'endpoints.json', '{ half');

      const run = await runInProcess(['notify', '--stage', 'dev', '--user', '1', '--data', '1'], { WS_NOTIFY_STATE_DIR: stateDir.path });

      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^notify: .*endpoints\.json is not valid JSON\n$/);
    });
  });

  describe('sending to an SQS endpoint (embedded local-aws-sqs)', () => {
    let server: Server;
    let sqs: SQSClient;
    let endpoint: string;
    const queues: Record<string, string> = {};

    beforeAll(async () => {
      server = await createSqsServer({ port: 0, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      endpoint = `http://127.0.0.1:${address.port}`;
      sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      for (const name of ['NotifyUser', 'NotifyConnection']) {
        const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `ws-notify-local-${name}` }));
        queues[name] = QueueUrl ?? '';
      }
    });

    afterAll(async () => {
      sqs.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    beforeEach(() => {
      writeEndpoints('local', 'endpoints.json', {
        stage: 'local',
        authMode: 'authorizer',
        websocketUrl: 'ws://127.0.0.1:1/local',
        managementApiUrl: 'http://127.0.0.1:1/local',
        sqsEndpoint: endpoint,
        tableName: 't',
        queues,
        pid: process.pid,
      });
    });

    async function receive(queue: string) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues[queue], MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }));
      return Messages;
    }

    it('sends --user to NotifyUser with a new UUID as notification id, and prints the queue message id alone', async () => {
      const run = await runCommand('notify', ['--user', '1234', '--data', '{"download":"/reports/42"}'], { WS_NOTIFY_STATE_DIR: stateDir.path });

      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const [message] = await receive('NotifyUser');
      expect(run.stdout).toBe(`${message?.MessageId}\n`);
      expect(JSON.parse(message?.Body ?? '')).toEqual({
        userId: '1234',
        data: { download: '/reports/42' },
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) as string,
      });
    });

    it('sends --connection with --id to NotifyConnection', async () => {
      const run = await runCommand('notify', ['--connection', 'XfGLwdrQtjMCJvw=', '--data', '"hello"', '--id', 'n-7'], {
        WS_NOTIFY_STATE_DIR: stateDir.path,
      });

      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      const [message] = await receive('NotifyConnection');
      expect(run.stdout).toBe(`${message?.MessageId}\n`);
      expect(JSON.parse(message?.Body ?? '')).toEqual({ connectionId: 'XfGLwdrQtjMCJvw=', data: 'hello', id: 'n-7' });
    });
  });
});
