/**
 * `npm run test:load` (not part of `npm test`: the package's build, its packing and the app's
 * install take about two minutes): the example app of docs/examples/existing-app run by the local
 * runtime as a user runs it, `ws-notify start --app DIR`, end to end.
 *
 * The package is built and packed (`npm run build`, `npm pack`), and the example installed from the
 * tarball with no network, with the tooling its cdk.json and its function need (tsx, esbuild): what
 * `npm install` of the example gives a user. Then the real command starts the app's stack, the
 * `token` command signs a token for it, a `ws` client of user 1234 connects, and the app's report
 * workers' message lands on the app's own ReportsReady queue: the app's ReportReady function
 * publishes "a report is ready" with the publisher, and the client receives it.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { generateKeyPair, SignJWT } from 'jose';
import type { StageEndpoints } from '../../src/tooling/endpoints-file';
import { PROJECT_ROOT } from '../../src/tooling/project-paths';
import { spawnStartCommand, type StartedCommand } from '../helpers/npm-start';
import { spawnCommand, succeeded } from '../helpers/spawn-command';
import { connectClient, refusedHandshake, type TestClient } from '../helpers/ws-client';
import { installConsumerProject } from './helpers/consumer-project';
import { packedPackage } from './helpers/packed-package';

const EXAMPLE = path.join(PROJECT_ROOT, 'docs', 'examples', 'existing-app');
const LAUNCH = path.join(PROJECT_ROOT, 'src', 'cli', 'launch.js');
const TSC = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** `ws-notify start …` as the package's bin runs it. */
function startCommand(args: readonly string[], env: Record<string, string>): StartedCommand {
  return spawnStartCommand(process.execPath, [LAUNCH, 'start', ...args], env);
}

describe('Example: docs/examples/existing-app run by ws-notify start --app', () => {
  let work: string;
  let example: string;
  let env: Record<string, string>;
  let started: StartedCommand | undefined;
  let endpoints: StageEndpoints;
  let sqs: SQSClient | undefined;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-existing-app-'));
    env = { WS_NOTIFY_KEYS_DIR: path.join(work, 'keys'), WS_NOTIFY_STATE_DIR: path.join(work, 'state') };
    // The package as `npm pack` makes it (once per run: helpers/packed-package.ts).
    const packed = await packedPackage(work);
    // The example as a user has it after `npm install`: ws-notify from the tarball, aws-cdk-lib, and
    // the tooling its cdk.json (`npx tsx app.ts`) and its NodejsFunction (esbuild) run.
    example = path.join(work, 'existing-app');
    mkdirSync(example);
    cpSync(EXAMPLE, example, { recursive: true, filter: (source) => !source.includes('node_modules') });
    await installConsumerProject({
      directory: example,
      tarball: packed.tarball,
      alongside: ['aws-cdk-lib', 'constructs', 'esbuild', 'tsx', '@types/aws-lambda', '@types/node'],
    });

    // Act (shared): the command a user runs.
    started = startCommand(['--app', example, '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--quiet'], env);
    if (!(await started.ready)) throw new Error(`ws-notify start exited (${JSON.stringify(await started.exited)}) before it was ready: ${started.stderr().slice(0, 3000)}`);
    endpoints = JSON.parse(readFileSync(path.join(work, 'state', 'ExistingApp', 'endpoints.json'), 'utf8')) as StageEndpoints;
    sqs = new SQSClient({ endpoint: endpoints.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  }, 600_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    sqs?.destroy();
    if (started !== undefined && started.child.exitCode === null && started.child.signalCode === null) {
      started.signal('SIGTERM');
      await started.exited;
    }
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('type-checks, its function included, against the types the package ships', async () => {
    // Act
    const run = await spawnCommand(process.execPath, [TSC, '--project', 'tsconfig.json'], { cwd: example, env: {} });

    // Assess
    expect(run).toMatchObject({ code: 0, stdout: '' });
  }, 120_000);

  it("publishes the app's stack as the stage named by the stack, with the app's own queue beside the service's", () => {
    // Assess
    expect(started!.stdout()).toContain(endpoints.websocketUrl);
    expect(endpoints).toMatchObject({
      stage: 'ExistingApp',
      authMode: 'authorizer',
      websocketUrl: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/prod$/) as unknown,
      app: { directory: example, issuer: 'https://ws-notify.local/ExistingApp', audience: 'reports' },
    });
    expect(Object.keys(endpoints.queues)).toEqual(expect.arrayContaining(['NotifyUser', 'NotifyConnection']));
    expect(Object.keys(endpoints.queues).filter((name) => /^ReportsReady(?!DeadLetter)/.test(name))).toHaveLength(1);
  });

  it("delivers a report finished on the app's queue, through the app's function and the publisher, to the user's client", async () => {
    // Prepare: user 1234 connected with a token from `ws-notify token --stage ExistingApp`.
    const token = succeeded(await spawnCommand(process.execPath, [LAUNCH, 'token', '--stage', 'ExistingApp', '--user', '1234'], { cwd: PROJECT_ROOT, env }), 'ws-notify token').trim();
    const client = await connectClient(`${endpoints.websocketUrl}?token=${token}`);
    clients.push(client);
    const [, reportsReady] = Object.entries(endpoints.queues).find(([name]) => /^ReportsReady(?!DeadLetter)/.test(name))!;

    // Act: what the app's report workers do when report 42 is finished.
    await sqs!.send(new SendMessageCommand({ QueueUrl: reportsReady, MessageBody: JSON.stringify({ userId: '1234', reportId: '42' }) }));
    const received = JSON.parse(await client.next(30_000)) as Record<string, unknown>;

    // Assess
    expect(received).toEqual({
      type: 'notification',
      id: 'report-ready-42',
      seq: expect.any(Number) as unknown,
      data: { type: 'report-ready', reportId: '42', download: '/reports/42' },
    });
  }, 60_000);

  it("refuses a token that only looks like the app's identity provider's: the emulated stack accepts the runtime's local tokens", async () => {
    // Prepare: the app's issuer and audience, signed with a key of nobody's.
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('https://id.example.com/')
      .setAudience('reports')
      .setSubject('1234')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);

    // Act
    const refused = await refusedHandshake(`${endpoints.websocketUrl}?token=${forged}`);

    // Assess
    expect(refused.status).toBe(403);
  });
});
