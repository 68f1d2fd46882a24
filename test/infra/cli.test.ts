import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/tooling/project-paths';
import { runInProcess } from '../helpers/cli-in-process';
import { type CfnJson, logicalIdsOfType, serviceView } from './helpers/stack-template';
import { useTemporaryKeys } from './helpers/temporary-keys';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command the way `npm run <name> -- …` does (`node src/cli/launch.js <name> …`), with no network needed. */
function runCommand(name: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(process.execPath, [path.join('src', 'cli', 'launch.js'), name, ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('Commands: synth and deploy', () => {
  const keysDirectory = useTemporaryKeys(['dev']);
  let workDir: string;
  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'ws-notify-cli-'));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  /** The environment of a user's shell: no AWS credentials needed, this test's keys. */
  const environment = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: workDir, WS_NOTIFY_KEYS_DIR: keysDirectory(), WS_NOTIFY_STATE_DIR: workDir });

  describe('synth --stage dev', () => {
    let run: Run;
    const output = () => path.join(workDir, 'cdk.out');
    beforeAll(async () => {
      run = await runCommand('synth', ['--stage', 'dev', '--output', output()], environment());
    }, 180_000);

    it('exits 0 and prints nothing on stderr (no notices, telemetry, warnings or progress)', () => {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    });

    it('prints the template of the action-mode stack on stdout', () => {
      // Assess: the YAML on stdout
      expect(run.stdout).toMatch(/^Description: ws-notify, stage dev \(auth mode action\)$/m);
      expect(run.stdout).toMatch(/^ {2}WsNotifyWebSocketApi[0-9A-F]{8}:\n {4}Type: AWS::ApiGatewayV2::Api$/m);
      expect(run.stdout).toMatch(/^ {10}AUTH_MODE: action$/m);
      expect(run.stdout).toMatch(/^ {10}AUTHORIZE_DEADLINE_QUEUE_URL:\n {12}Ref: WsNotifyAuthorizeDeadlineQueue[0-9A-F]{8}$/m);
      expect(run.stdout).not.toContain('AWS::ApiGatewayV2::Authorizer');
    });

    it('writes the same stack to the cloud assembly, with every function on its prebuilt bundle', () => {
      // Prepare
      const json = serviceView(JSON.parse(readFileSync(path.join(output(), 'WsNotify-dev.template.json'), 'utf8')) as CfnJson);

      // Assess
      expect(logicalIdsOfType(json, 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
      expect(json.Resources.Authorizer).toBeUndefined();
      const connect = json.Resources.Connect!;
      expect((connect.Properties!.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        AUTH_MODE: 'action',
        AUTHORIZE_DEADLINE_QUEUE_URL: { Ref: 'AuthorizeDeadlineQueue' },
      });
      for (const fn of logicalIdsOfType(json, 'AWS::Lambda::Function')) {
        const assetPath = json.Resources[fn]!.Metadata?.['aws:asset:path'] as string;
        expect(assetPath).toMatch(/^asset\.[0-9a-f]{64}$/);
        expect(existsSync(path.join(output(), assetPath, 'index.js'))).toBe(true);
      }
    });
  });

  // deploy's flag refusals (--require-approval maybe, --region) are checked in-process (test/unit/cli/ws-notify.test.ts).
  // These refusals run in-process too (test/helpers/cli-in-process.ts): the missing key is found by
  // infra/cdk-cli.ts, which loads no CDK code, before the CDK CLI starts. The executable runs each
  // command above (synth) and below (deploy).
  it.each([
    ['synth', ['--stage', 'prod'], 1, /^synth: no signing key for stage "prod" \(.+prod\.public\.jwk\.json is missing\): run npm run keys -- --stage prod\n$/],
    ['synth', ['--stage', 'staging'], 2, /^synth: unknown stage "staging" \(known stages: local, dev, prod\)\n$/],
    ['synth', ['--stage', 'dev', '--aws-sdk', 'v2'], 2, /^synth: --aws-sdk must be bundled or runtime, got "v2"\n$/],
    ['deploy', ['--stage', 'prod'], 1, /^deploy: no signing key for stage "prod" .*run npm run keys -- --stage prod\n$/],
    ['deploy', ['--stage', 'staging'], 2, /^deploy: unknown stage "staging"/],
  ] as const)('%s %j fails with one line on stderr and exit code %d', async (command, args, exitCode, message) => {
    // Act
    const run = await runInProcess([command, ...args], { WS_NOTIFY_KEYS_DIR: keysDirectory(), WS_NOTIFY_STATE_DIR: workDir });

    // Assess
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(exitCode);
  });

  it.each([
    ['no AWS credentials', { AWS_REGION: 'eu-west-1' }, /^deploy: no AWS credentials \(.+\): set AWS_PROFILE \(aws configure, aws sso login\) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n$/],
    ['no AWS region', {}, /^deploy: no AWS region: set AWS_REGION, or a region in the profile of AWS_PROFILE \(aws configure\)\n$/],
  ])('deploy --stage dev with %s fails in one line before anything is synthesized or bundled', async (_label, aws, message) => {
    // Act: no credentials anywhere (HOME has no ~/.aws); instance metadata off, so that the
    // credential chain asks nothing of the network.
    const run = await runCommand('deploy', ['--stage', 'dev'], { ...environment(), AWS_EC2_METADATA_DISABLED: 'true', ...aws });

    // Assess
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(1);
  });
});
