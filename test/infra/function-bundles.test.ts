import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildInProcessApp } from '../../infra/app-factory';
import { UNUSED_CREDENTIAL_PROVIDERS } from '../../infra/function-bundling';
import { getStage } from '../../infra/stages';
import { resolveIntrinsics, type LocalResourceValues } from '../../src/local/template/resolve-intrinsics';
import { type CfnJson, logicalIdsOfType, withoutBundlingProgress } from './helpers/stack-template';
import { useTemporaryKeys } from './helpers/temporary-keys';

/**
 * Budget for one function's minified bundle (index.js) with the AWS SDK v3 clients bundled
 * (`awsSdk: 'bundled'`, the default); the Authorizer has no SDK client. Measured: 62–306 KiB.
 */
const BUNDLE_BUDGET_BYTES = 512 * 1024;

describe('Function bundles (esbuild, as deployed)', () => {
  useTemporaryKeys(['local', 'dev']);
  let outdir: string;
  let json: CfnJson;
  const sizes: Record<string, number> = {};

  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'ws-notify-bundles-'));
    const { app, stack } = buildInProcessApp({ stage: getStage('local'), bundling: true, cloudFormationValidation: false, outdir });
    json = withoutBundlingProgress(() => app.synth()).getStackByName(stack.stackName).template as CfnJson;
  }, 180_000);

  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
    if (Object.keys(sizes).length > 0) {
      console.info(`bundle sizes (budget ${BUNDLE_BUDGET_BYTES} bytes):\n${Object.entries(sizes).map(([fn, size]) => `  ${fn}: ${size}`).join('\n')}`);
    }
  });

  /** The staged asset directory of a function (`asset.<hash>`, from its Code.S3Key `<hash>.zip`). */
  function bundleDirectory(functionId: string): string {
    const code = json.Resources[functionId]!.Properties!.Code as { S3Key: string };
    return path.join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
  }

  it('bundles every function into a minified index.js with a source map, within the size budget', () => {
    // Prepare
    const functions = logicalIdsOfType(json, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(9);

    for (const fn of functions) {
      // Assess
      const bundle = path.join(bundleDirectory(fn), 'index.js');
      expect(existsSync(bundle)).toBe(true);
      expect(existsSync(`${bundle}.map`)).toBe(true);
      sizes[fn] = statSync(bundle).size;
      expect({ fn, withinBudget: sizes[fn] <= BUNDLE_BUDGET_BYTES }).toEqual({ fn, withinBudget: true });
    }
  });

  it('produces bundles that load on Node.js and export the handler the template names', () => {
    // Prepare: the template's environment with made-up AWS values, as Lambda would resolve it.
    const resources: Record<string, LocalResourceValues> = {};
    for (const [id, resource] of Object.entries(json.Resources)) {
      const ref = resource.Type === 'AWS::SQS::Queue' ? `https://sqs.us-east-1.amazonaws.com/123456789012/${id}` : `${id.toLowerCase()}-ref`;
      resources[id] = { ref, attributes: { Arn: `arn:aws:local:us-east-1:123456789012:${id}` } };
    }
    const context = { region: 'us-east-1', accountId: '123456789012', stackName: 'WsNotify-local', resources };

    for (const fn of logicalIdsOfType(json, 'AWS::Lambda::Function')) {
      const props = json.Resources[fn]!.Properties!;
      const env = resolveIntrinsics((props.Environment as { Variables: unknown }).Variables, context, `${fn}.Environment`) as Record<string, string>;
      const handlerExport = (props.Handler as string).split('.').pop()!;

      // Act
      const exported = execFileSync(
        process.execPath,
        ['-e', `process.stdout.write(typeof require(process.argv[1])[process.argv[2]])`, path.join(bundleDirectory(fn), 'index.js'), handlerExport],
        { env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env, NODE_OPTIONS: '' }, encoding: 'utf8' },
      );

      // Assess
      expect({ fn, exported }).toEqual({ fn, exported: 'function' });
    }
  });

  it("leaves @aws-sdk/* to the Lambda runtime's copy with awsSdk 'runtime', and bundles it by default", () => {
    // Prepare
    const runtimeOutdir = mkdtempSync(path.join(tmpdir(), 'ws-notify-bundles-runtime-'));
    try {
      const { app, stack } = buildInProcessApp({ stage: getStage('dev'), bundling: true, awsSdk: 'runtime', cloudFormationValidation: false, outdir: runtimeOutdir });
      const runtimeJson = withoutBundlingProgress(() => app.synth()).getStackByName(stack.stackName).template as CfnJson;
      const code = (fn: string, dir: string, template: CfnJson) =>
        readFileSync(path.join(dir, `asset.${(template.Resources[fn]!.Properties!.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '')}`, 'index.js'), 'utf8');

      // Act
      const external = code('Ping', runtimeOutdir, runtimeJson);
      const bundled = code('Ping', outdir, json);

      // Assess: which SDK modules each bundle leaves to Node.js to load, by require() at module load or by a lazy import().
      const sdkModules = (code: string, call: 'require' | 'import') =>
        [...new Set([...code.matchAll(new RegExp(`${call}\\("(@(?:aws-sdk|smithy)/[^"]+)"\\)`, 'g'))].map((match) => match[1]))].sort();
      expect(sdkModules(external, 'require')).toContain('@aws-sdk/client-dynamodb');
      expect(sdkModules(bundled, 'require')).toEqual([]);
      // Only the credential providers that run when the environment holds no credentials (never on
      // Lambda) stay out, as lazy imports; the previous test loads every bundle where no node_modules can be found.
      expect(sdkModules(bundled, 'import')).toEqual([...UNUSED_CREDENTIAL_PROVIDERS].sort());
      expect(external.length).toBeLessThan(bundled.length);
    } finally {
      rmSync(runtimeOutdir, { recursive: true, force: true });
    }
  }, 180_000);
});
