import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { NotifyPublisher, StageEndpointsError } from '../../../src/publisher';
import { temporaryDirectory } from '../helpers/temp-dir';

const sqs = mockClient(SQSClient);

const LOCAL_QUEUES = {
  NotifyUser: 'http://127.0.0.1:9324/000000000000/ws-notify-dev-NotifyUser',
  NotifyConnection: 'http://127.0.0.1:9324/000000000000/ws-notify-dev-NotifyConnection',
  NotifyUserDeadLetter: 'http://127.0.0.1:9324/000000000000/ws-notify-dev-NotifyUserDeadLetter',
};
const DEPLOYED_QUEUES = {
  NotifyUser: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ws-notify-dev-NotifyUser',
  NotifyConnection: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ws-notify-dev-NotifyConnection',
};
/** A process id above Linux's pid_max: no process has it. */
const EXITED_PID = 2 ** 22 + 777;

const localFile = (overrides: Record<string, unknown> = {}) => ({
  stage: 'dev',
  authMode: 'action',
  websocketUrl: 'ws://127.0.0.1:3001/dev',
  managementApiUrl: 'http://127.0.0.1:3001/dev',
  dynamodbEndpoint: 'http://127.0.0.1:8000',
  sqsEndpoint: 'http://127.0.0.1:9324',
  tableName: 'ws-notify-dev-Connections',
  queues: LOCAL_QUEUES,
  pid: process.pid,
  ...overrides,
});

const deployedFile = (overrides: Record<string, unknown> = {}) => ({
  stage: 'dev',
  authMode: 'action',
  websocketUrl: 'wss://abc.execute-api.eu-west-1.amazonaws.com/dev',
  managementApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/dev',
  tableName: 'ws-notify-dev-Connections',
  queues: DEPLOYED_QUEUES,
  ...overrides,
});

describe('Method: NotifyPublisher.forStage', () => {
  let stateDir: { path: string; remove: () => void };
  const saved = process.env.WS_NOTIFY_STATE_DIR;

  function write(file: 'endpoints.json' | 'deployed.json', content: unknown): string {
    const target = path.join(stateDir.path, 'dev', file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content));
    return target;
  }

  function refusal(stage = 'dev'): StageEndpointsError {
    try {
      NotifyPublisher.forStage(stage);
    } catch (error) {
      if (error instanceof StageEndpointsError) return error;
      throw error;
    }
    throw new Error('forStage found endpoints');
  }

  /** The client of the first request sent. */
  const clientOfFirstCall = () => sqs.call(0).thisValue as SQSClient;

  beforeEach(() => {
    stateDir = temporaryDirectory('ws-notify-state-');
    process.env.WS_NOTIFY_STATE_DIR = stateDir.path;
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  });

  afterEach(() => {
    if (saved === undefined) delete process.env.WS_NOTIFY_STATE_DIR;
    else process.env.WS_NOTIFY_STATE_DIR = saved;
    stateDir.remove();
    sqs.reset();
    jest.restoreAllMocks();
  });

  it("sends to the running local stack's queues through its embedded SQS, with the local stack's credentials", async () => {
    write('endpoints.json', localFile());
    write('deployed.json', deployedFile());
    const publisher = NotifyPublisher.forStage('dev');

    await publisher.notifyUser('1234', 1);
    await publisher.notifyConnection('c-1', 2);

    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.QueueUrl)).toEqual([LOCAL_QUEUES.NotifyUser, LOCAL_QUEUES.NotifyConnection]);
    const client = clientOfFirstCall();
    await expect(client.config.region()).resolves.toBe('us-east-1');
    await expect(client.config.credentials()).resolves.toEqual(expect.objectContaining({ accessKeyId: 'local', secretAccessKey: 'local' }));
    expect(await client.config.endpoint?.()).toEqual(expect.objectContaining({ hostname: '127.0.0.1', port: 9324, protocol: 'http:' }));
    publisher.destroy();
  });

  it('falls back to the deployed stage when the local stack that wrote the file has exited, in the queue URL region', async () => {
    write('endpoints.json', localFile({ pid: EXITED_PID }));
    write('deployed.json', deployedFile());

    const publisher = NotifyPublisher.forStage('dev');
    await publisher.notifyUser('1234', 1);

    expect(publisher.notifyUserQueueUrl).toBe(DEPLOYED_QUEUES.NotifyUser);
    expect(publisher.notifyConnectionQueueUrl).toBe(DEPLOYED_QUEUES.NotifyConnection);
    await expect(clientOfFirstCall().config.region()).resolves.toBe('eu-west-1');
    publisher.destroy();
  });

  it('uses the deployed stage when no local stack runs', () => {
    write('deployed.json', deployedFile());

    expect(NotifyPublisher.forStage('dev').notifyUserQueueUrl).toBe(DEPLOYED_QUEUES.NotifyUser);
  });

  it('uses an injected client as it is, and leaves it to its owner', async () => {
    write('endpoints.json', localFile());
    const client = new SQSClient({ region: 'ap-southeast-2' });
    const destroy = jest.spyOn(client, 'destroy');

    const publisher = NotifyPublisher.forStage('dev', { sqsClient: client });
    await publisher.notifyUser('1234', 1);
    publisher.destroy();

    expect(clientOfFirstCall()).toBe(client);
    expect(destroy).not.toHaveBeenCalled();
  });

  it('destroys the client it created', () => {
    write('endpoints.json', localFile());
    const destroy = jest.spyOn(SQSClient.prototype, 'destroy');

    NotifyPublisher.forStage('dev').destroy();

    expect(destroy).toHaveBeenCalledTimes(1);
  });

  it('refuses a stage without endpoints files', () => {
    const error = refusal();

    expect(error).toMatchObject({ name: 'StageEndpointsError', code: 'endpoints_not_found', stage: 'dev', file: undefined });
    expect(error.message).toBe(
      `no endpoints for stage "dev": neither ${path.join(stateDir.path, 'dev', 'endpoints.json')} (a running local stack) nor ${path.join(stateDir.path, 'dev', 'deployed.json')} (a deployed stage) exists`,
    );
  });

  it('refuses the endpoints file of a local stack that has exited when the stage is not deployed', () => {
    const file = write('endpoints.json', localFile({ pid: EXITED_PID }));

    expect(refusal()).toMatchObject({ code: 'local_stack_not_running', file, message: expect.stringContaining(`names process ${EXITED_PID} which has exited`) as string });
  });

  it('refuses an endpoints file that is not JSON, with the parse error as cause', () => {
    const file = write('endpoints.json', '{ half');

    const error = refusal();

    expect(error).toMatchObject({ code: 'invalid_endpoints_file', file, message: `${file} is not valid JSON` });
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('refuses an endpoints file without the NotifyConnection queue', () => {
    const file = write('endpoints.json', localFile({ queues: { NotifyUser: LOCAL_QUEUES.NotifyUser } }));

    expect(refusal()).toMatchObject({ code: 'invalid_endpoints_file', file, message: `${file} lists no NotifyConnection queue` });
  });

  it('refuses an endpoints file whose queues are not URLs', () => {
    write('deployed.json', deployedFile({ queues: { NotifyUser: 1, NotifyConnection: 2 } }));

    expect(refusal()).toMatchObject({ code: 'invalid_endpoints_file', message: expect.stringContaining('is not an endpoints file: queues.NotifyUser') as string });
  });

  it.each([['../dev'], [''], ['dev/x'], ['.']])('refuses %j, which cannot name a stage, before reading any file', (stage) => {
    write('endpoints.json', localFile());

    expect(refusal(stage)).toMatchObject({ code: 'invalid_stage_name', stage, file: undefined });
  });
});
