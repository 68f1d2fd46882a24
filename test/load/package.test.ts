/**
 * `npm run test:load` (not part of `npm test`: building, packing and two installs take about a
 * minute): the package as an application gets it: built and packed (`npm run build`, `npm pack`,
 * once per run: helpers/packed-package.ts), installed into a fresh project with no network
 * (helpers/consumer-project.ts), every entry imported from Node.js; the
 * construct synthesized there with neither esbuild nor a path into this repository; and the
 * example app (docs/examples/existing-app) type-checked, bundled and synthesized against it.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readStackTemplate } from '../../src/local/template/read-stack-template';
import { PROJECT_ROOT } from '../../src/tooling/project-paths';
import { spawnCommand, succeeded } from '../helpers/spawn-command';
import { type CfnJson, logicalIdNamed, logicalIdsOfType, render } from '../infra/helpers/stack-template';
import { installConsumerProject } from './helpers/consumer-project';
import { packedPackage } from './helpers/packed-package';

const EXAMPLE = path.join(PROJECT_ROOT, 'docs', 'examples', 'existing-app');
const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const TSC = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs a Node.js script in the consumer project and parses the JSON it prints last. */
async function nodeScript<T>(directory: string, source: string, extension: 'cjs' | 'mjs' = 'cjs'): Promise<T> {
  const file = path.join(directory, `script-${Date.now()}.${extension}`);
  writeFileSync(file, source);
  const stdout = succeeded(await spawnCommand(process.execPath, [file], { cwd: directory, env: {} }), `node ${path.basename(file)}`);
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as T;
}

describe('The packed package', () => {
  let work: string;
  let consumer: string;
  let files: string[];
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  const entries = Object.keys(manifest.exports).filter((entry) => entry !== './package.json').map((entry) => `${manifest.name}${entry.slice(1)}`);

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'ws-notify-package-'));
    const packed = await packedPackage(work);
    files = [...packed.files];
    consumer = path.join(work, 'consumer');
    mkdirSync(consumer);
    await installConsumerProject({ directory: consumer, tarball: packed.tarball, alongside: ['aws-cdk-lib', 'constructs', '@types/node'] });
  }, 600_000);

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('holds the compiled entries with their types and every function bundle, and no TypeScript source, test or build state', () => {
    // Assess
    expect(entries).toEqual(['ws-notify/cdk', 'ws-notify/publisher', 'ws-notify/client']);
    for (const file of ['dist/infra/ws-notify.js', 'dist/infra/ws-notify.d.ts', 'dist/src/publisher/index.js', 'dist/src/publisher/index.d.ts', 'dist/src/client/index.js', 'dist/src/client/index.d.ts']) {
      expect(files).toContain(file);
    }
    for (const name of ['authorizer', 'connect', 'disconnect', 'authorize', 'ping', 'default', 'authorize-deadline', 'notify-user', 'notify-connection']) {
      for (const awsSdk of ['bundled', 'runtime']) expect(files).toEqual(expect.arrayContaining([`dist/functions/${awsSdk}/${name}/index.js`, `dist/functions/${awsSdk}/${name}/index.js.map`]));
    }
    // src/cli/launch.js is the package's bin, which npm always packs: in the package it only says where the commands run (below).
    expect(files.filter((file) => !file.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE', 'src/cli/launch.js'].includes(file))).toEqual([]);
    expect(files.filter((file) => (file.endsWith('.ts') && !file.endsWith('.d.ts')) || file.includes('test/') || file.endsWith('build-state.json'))).toEqual([]);
  });

  it('installs with no network in a fresh project, where every entry imports from Node.js, by require and by import', async () => {
    // Act
    const required = await nodeScript<Record<string, string[]>>(consumer, `console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(entries)}.map((entry) => [entry, Object.keys(require(entry))]))));\n`);
    const imported = await nodeScript<Record<string, string[]>>(consumer, `const out = {};\nfor (const entry of ${JSON.stringify(entries)}) out[entry] = Object.keys(await import(entry));\nconsole.log(JSON.stringify(out));\n`, 'mjs');

    // Assess
    expect(Object.keys(required)).toEqual(entries);
    expect(required['ws-notify/cdk']).toEqual(expect.arrayContaining(['WsNotify', 'InvalidWsNotifyPropsError']));
    expect(imported['ws-notify/cdk']).toEqual(expect.arrayContaining(['WsNotify']));
    expect(Object.keys(imported)).toEqual(entries);
  });

  it("holds the ws-notify executable (its bin), which says in one line that the commands run in a clone of the repository, exit 1", async () => {
    // Act
    const run = await spawnCommand(process.execPath, [path.join(consumer, 'node_modules', 'ws-notify', 'src', 'cli', 'launch.js'), 'start', '--help'], { cwd: consumer, env: {} });

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ws-notify: the commands run in a clone of the ws-notify repository .*ws-notify\/client$/)]);
  });

  // A Node.js process that loads aws-cdk-lib and synthesizes the whole service: more than the default timeout on a busy machine.
  it('synthesizes WsNotify there, with no esbuild installed, on the bundles the package holds', async () => {
    // Act
    const result = await nodeScript<{ esbuild: boolean; assets: string[]; template: string }>(
      consumer,
      `const { App, Stack } = require('aws-cdk-lib');
const { WsNotify } = require('ws-notify/cdk');
let esbuild = true;
try { require.resolve('esbuild'); } catch { esbuild = false; }
const app = new App({ outdir: ${JSON.stringify(path.join(work, 'cdk.out'))}, context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:disable-asset-staging': true } });
const stack = new Stack(app, 'Consumer');
new WsNotify(stack, 'Notifications', { stageName: 'live', authMode: 'authorizer', jwt: { issuer: 'https://id.example.com/', audience: 'reports', algorithms: ['RS256'], key: { jwksUrl: 'https://id.example.com/jwks.json' } } });
const template = app.synth().getStackByName('Consumer').template;
const assets = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function').map((resource) => resource.Metadata['aws:asset:path']);
console.log(JSON.stringify({ esbuild, assets, template: JSON.stringify(template) }));
`,
    );

    // Assess
    expect(result.esbuild).toBe(false);
    expect(result.assets).toHaveLength(10);
    for (const asset of result.assets) expect(asset).toMatch(new RegExp(`^${consumer}/node_modules/ws-notify/dist/functions/bundled/[a-z-]+$`));
    expect(result.template).not.toContain(PROJECT_ROOT);
  }, 120_000);

  describe('the example app of docs/examples/existing-app, built there', () => {
    let example: string;
    let outdir: string;
    let json: CfnJson;
    beforeAll(async () => {
      example = path.join(consumer, 'existing-app');
      outdir = path.join(work, 'example.out');
      cpSync(EXAMPLE, example, { recursive: true, filter: (source) => !source.includes('node_modules') });
      // The app's own tooling (its devDependencies): esbuild for its function, the Lambda types.
      await installConsumerProject({ directory: example, alongside: ['esbuild', '@types/aws-lambda'] });
      // Type-check the CDK app against the package's published types. The function's file waits
      // for the publisher's types (src/publisher): it is bundled below, not type-checked.
      writeFileSync(path.join(example, 'tsconfig.app.json'), JSON.stringify({ extends: './tsconfig.json', include: ['app.ts'] }));
      succeeded(await spawnCommand(process.execPath, [TSC, '--project', 'tsconfig.app.json'], { cwd: example, env: {} }), 'tsc of the example app');
      // Synthesize it as `cdk synth` runs it (CDK_OUTDIR, the CLI's context), its function bundled by its own esbuild.
      succeeded(
        await spawnCommand(TSX, ['app.ts'], {
          cwd: example,
          env: {
            PATH: `${path.join(example, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
            CDK_OUTDIR: outdir,
            CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true }),
          },
        }),
        'the example app',
      );
      json = JSON.parse(readFileSync(path.join(outdir, 'ExistingApp.template.json'), 'utf8')) as CfnJson;
    }, 600_000);

    it("gives the app's function exactly the send rights on NotifyUser, and nothing more of ws-notify", () => {
      // Prepare
      const functionId = logicalIdsOfType(json, 'AWS::Lambda::Function').find((id) => id.startsWith('ReportReady'))!;
      const roleId = /^<(\w+)\.Arn>$/.exec(render(json.Resources[functionId]!.Properties!.Role))![1]!;
      const notifyUser = logicalIdNamed(json, 'AWS::SQS::Queue', 'NotifyUser');
      const reportsReady = logicalIdsOfType(json, 'AWS::SQS::Queue').find((id) => id.startsWith('ReportsReady') && !id.startsWith('ReportsReadyDeadLetter'))!;

      // Act
      const grants = logicalIdsOfType(json, 'AWS::IAM::Policy')
        .map((id) => json.Resources[id]!.Properties!)
        .filter((props) => (props.Roles as unknown[]).some((role) => render(role) === `<${roleId}>`))
        .flatMap((props) => (props.PolicyDocument as { Statement: { Effect: string; Action: string | string[]; Resource: unknown }[] }).Statement)
        .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).map((action) => `${statement.Effect} ${action} on ${render(statement.Resource)}`));

      // Assess: NotifyUser's send right, its own queue's consumer rights, Lambda's basic logging; nothing else.
      expect(grants.sort()).toEqual(
        [
          `Allow sqs:SendMessage on <${notifyUser}.Arn>`,
          ...['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((action) => `Allow ${action} on <${reportsReady}.Arn>`),
        ].sort(),
      );
      expect((json.Resources[roleId]!.Properties!.ManagedPolicyArns as unknown[]).map(render)).toEqual(['arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']);
      expect((json.Resources[functionId]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables).toEqual({ NOTIFY_USER_QUEUE_URL: { Ref: notifyUser } });
    });

    it("runs ws-notify's functions on the package's bundles and the app's function on its own bundle, with no path into this repository", () => {
      // Prepare
      const assets = readFileSync(path.join(outdir, 'ExistingApp.assets.json'), 'utf8');
      const functionId = logicalIdsOfType(json, 'AWS::Lambda::Function').find((id) => id.startsWith('ReportReady'))!;
      const bundle = readFileSync(path.join(outdir, json.Resources[functionId]!.Metadata!['aws:asset:path'] as string, 'index.js'), 'utf8');

      // Assess
      expect(JSON.stringify(json)).not.toContain(PROJECT_ROOT);
      expect(assets).not.toContain(PROJECT_ROOT);
      expect(logicalIdsOfType(json, 'AWS::Lambda::Function')).toHaveLength(11);
      expect(json.Resources[functionId]!.Metadata!['aws:asset:is-bundled']).toBe(true);
      // The publisher is in the app's bundle, not loaded from node_modules at run time.
      expect(bundle).not.toMatch(/require\("ws-notify/);
    });

    it("is read by the local runtime's template reader: the service by its names, and the app's own queue, function and mapping", () => {
      // Act
      const model = readStackTemplate(json, { assemblyDirectory: outdir });

      // Assess
      expect(model.stackName).toBe('ExistingApp');
      expect(model.api).toMatchObject({ stageName: 'prod', authorizer: { functionId: 'Authorizer' } });
      expect(model.functions.NotifyUser?.codeDirectory.startsWith(outdir)).toBe(true);
      const own = Object.values(model.functions).find((fn) => fn.name.startsWith('ReportReady'))!;
      expect(own).toMatchObject({ handlerModule: 'index', handlerExport: 'handler' });
      const mapping = model.eventSourceMappings.find((candidate) => candidate.functionId === own.name)!;
      expect(model.queues[mapping.queueId]).toMatchObject({ name: mapping.queueId, redrive: { maxReceiveCount: 5 } });
      expect(Object.values(model.tables).map((table) => table.name).sort()).toEqual(['Connections', 'Inbox']);
    });
  });
});
