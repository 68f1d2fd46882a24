import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildInProcessApp } from '../../infra/app-factory';
import { functionCodeDirectory } from '../../infra/function-code';
import { getStage } from '../../infra/stages';
import { SDK_TIMEOUTS } from '../../src/commons/sdk-timeouts';
import { resolveToString, type LocalResourceValues } from '../../src/local/template/resolve-intrinsics';
import { ensureFunctionBundles, functionEntries, FunctionBundleError, UNUSED_CREDENTIAL_PROVIDERS } from '../../src/tooling/function-bundles';
import { type CfnJson, logicalIdsOfType, serviceView } from './helpers/stack-template';
import { useTemporaryKeys } from './helpers/temporary-keys';

/**
 * Budget for one function's minified bundle (index.js) with the AWS SDK v3 clients bundled (the
 * default); the Authorizer has no SDK client.
 */
const BUNDLE_BUDGET_BYTES = 512 * 1024;

/** Which SDK modules a bundle leaves to Node.js to load, by require() at module load or by a lazy import(). */
function sdkModules(code: string, call: 'require' | 'import'): string[] {
  return [...new Set([...code.matchAll(new RegExp(`${call}\\("(@(?:aws-sdk|smithy)/[^"]+)"\\)`, 'g'))].map((match) => match[1]!))].sort();
}

/** The SHA-256 of a file: compares bundles of several hundred KB byte for byte (jest's toEqual on Buffers walks them byte by byte, for seconds). */
function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** A number as it may appear in a minified bundle: `2000` or `2e3`. */
function minifiedNumber(value: number): string {
  return `(?:${value}|${value.toExponential().replace('e+', 'e')})`;
}

describe('Function: ensureFunctionBundles', () => {
  describe('the functions of src/functions', () => {
    const names = Object.keys(functionEntries());
    const sizes: Record<string, number> = {};

    beforeAll(() => {
      ensureFunctionBundles();
    });

    afterAll(() => {
      if (Object.keys(sizes).length > 0) {
        console.info(`bundle sizes (budget ${BUNDLE_BUDGET_BYTES} bytes):\n${Object.entries(sizes).map(([fn, size]) => `  ${fn}: ${size}`).join('\n')}`);
      }
    });

    it('bundles every entry of src/functions into a minified index.js with a source map, within the size budget', () => {
      // Assess
      expect(names).toEqual(expect.arrayContaining(['authorizer', 'connect', 'disconnect', 'authorize', 'ping', 'default', 'authorize-deadline', 'notify-user', 'notify-connection']));
      for (const name of names) {
        const bundle = path.join(functionCodeDirectory(name), 'index.js');
        expect(existsSync(`${bundle}.map`)).toBe(true);
        expect(readFileSync(bundle, 'utf8')).toMatch(/\/\/# sourceMappingURL=index\.js\.map\n?$/);
        sizes[name] = statSync(bundle).size;
        expect({ name, withinBudget: sizes[name] <= BUNDLE_BUDGET_BYTES }).toEqual({ name, withinBudget: true });
      }
    });

    it('finds them up to date the second time, without building', () => {
      // Act
      const again = ensureFunctionBundles();

      // Assess
      expect(again.built).toBe(false);
      expect(Object.keys(again.bytes.bundled).sort()).toEqual([...names].sort());
    });

    it("bundles the AWS SDK by default and leaves @aws-sdk/* and @smithy/* to the Lambda runtime's copy in the runtime variant", () => {
      // Act
      const bundled = readFileSync(path.join(functionCodeDirectory('ping', 'bundled'), 'index.js'), 'utf8');
      const external = readFileSync(path.join(functionCodeDirectory('ping', 'runtime'), 'index.js'), 'utf8');

      // Assess
      expect(sdkModules(external, 'require')).toContain('@aws-sdk/client-dynamodb');
      expect(sdkModules(bundled, 'require')).toEqual([]);
      // Only the credential providers that run when the environment holds no credentials (never on
      // Lambda) stay out, as lazy imports; the next test loads every bundle where no node_modules can be found.
      expect(sdkModules(bundled, 'import')).toEqual([...UNUSED_CREDENTIAL_PROVIDERS].sort());
      expect(external.length).toBeLessThan(bundled.length);
    });
  });

  describe('the SDK timeouts in the bundles', () => {
    beforeAll(() => {
      ensureFunctionBundles();
    });

    it('compiles the shared connection and request timeouts and the attempt limit into every bundle that calls AWS, both SDK variants', () => {
      // Prepare: the constants (src/commons/sdk-timeouts.ts) and the request handler options built from them.
      const timeouts = new RegExp(
        `\\{${Object.entries(SDK_TIMEOUTS).map(([key, value]) => `${key}:${minifiedNumber(value)}`).join(',')}\\}`,
      );
      const handlerOptions = /\{connectionTimeout:\w+\.connectionTimeoutMs,requestTimeout:\w+\.requestTimeoutMs,throwOnRequestTimeout:!0\}/;
      const clientConfig = /\{cacheMiddleware:!0,maxAttempts:\w+\.maxAttempts,requestHandler:\w+\}/;

      for (const name of Object.keys(functionEntries())) {
        for (const variant of ['bundled', 'runtime'] as const) {
          // Act
          const code = readFileSync(path.join(functionCodeDirectory(name, variant), 'index.js'), 'utf8');
          const callsAws = /@aws-sdk\/client-|DynamoDBClient|ApiGatewayManagementApiClient|SQSClient/.test(code);

          // Assess: the Authorizer alone makes no AWS call.
          expect({ name, callsAws }).toEqual({ name, callsAws: name !== 'authorizer' });
          if (!callsAws) continue;
          expect({ name, variant, timeouts: timeouts.test(code), handlerOptions: handlerOptions.test(code), clientConfig: clientConfig.test(code) }).toEqual({
            name,
            variant,
            timeouts: true,
            handlerOptions: true,
            clientConfig: true,
          });
        }
      }
    });
  });

  describe('the construct deploys the bundles as they are', () => {
    useTemporaryKeys(['local']);
    let outdir: string;
    let json: CfnJson;

    beforeAll(() => {
      outdir = mkdtempSync(path.join(tmpdir(), 'ws-notify-bundles-'));
      const { app, stack } = buildInProcessApp({ stage: getStage('local'), cloudFormationValidation: false, outdir });
      json = serviceView(app.synth().getStackByName(stack.stackName).template as CfnJson);
    });

    afterAll(() => rmSync(outdir, { recursive: true, force: true }));

    /** The staged asset directory of a function (`asset.<hash>`, from its Code.S3Key `<hash>.zip`). */
    function assetDirectory(functionId: string): string {
      const code = json.Resources[functionId]!.Properties!.Code as { S3Key: string };
      return path.join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    }

    it("stages each function's bundle, byte for byte, as its code asset", () => {
      // Prepare
      const bundleOf: Record<string, string> = { Connect: 'connect', Ping: 'ping', NotifyUser: 'notify-user', Authorizer: 'authorizer' };

      for (const [functionId, name] of Object.entries(bundleOf)) {
        // Assess
        expect({ functionId, staged: sha256Of(path.join(assetDirectory(functionId), 'index.js')) }).toEqual({
          functionId,
          staged: sha256Of(path.join(functionCodeDirectory(name), 'index.js')),
        });
        expect(existsSync(path.join(assetDirectory(functionId), 'index.js.map'))).toBe(true);
      }
    });

    it('produces bundles that load on Node.js, with no node_modules to find, and export the handler the template names', () => {
      // Prepare: the template's environment with made-up AWS values, as Lambda would resolve it.
      const resources: Record<string, LocalResourceValues> = {};
      for (const [id, resource] of Object.entries(json.Resources)) {
        const ref = resource.Type === 'AWS::SQS::Queue' ? `https://sqs.us-east-1.amazonaws.com/123456789012/${id}` : `${id.toLowerCase()}-ref`;
        resources[id] = { ref, attributes: { Arn: `arn:aws:local:us-east-1:123456789012:${id}` } };
      }
      const context = { region: 'us-east-1', accountId: '123456789012', stackName: 'WsNotify-local', resources };

      const functions = logicalIdsOfType(json, 'AWS::Lambda::Function').map((fn) => {
        const props = json.Resources[fn]!.Properties!;
        const variables = Object.entries((props.Environment as { Variables: Record<string, unknown> }).Variables);
        const environment = Object.fromEntries(variables.map(([name, value]) => [name, resolveToString(value, context, `${fn}.Environment.${name}`)]));
        return { fn, file: path.join(assetDirectory(fn), 'index.js'), handlerExport: (props.Handler as string).split('.').pop()!, environment };
      });

      // Act: one Node.js process loads every bundle in turn, each with only its own function's
      // environment set (a bundle reads its configuration when it loads), and reports the type of
      // the export the template names.
      const loader = `
        const base = { ...process.env };
        const functions = JSON.parse(process.argv[1]);
        const exported = {};
        for (const { fn, file, handlerExport, environment } of functions) {
          for (const name of Object.keys(process.env)) delete process.env[name];
          Object.assign(process.env, base, environment);
          exported[fn] = typeof require(file)[handlerExport];
        }
        process.stdout.write(JSON.stringify(exported));`;
      const exported = JSON.parse(
        execFileSync(process.execPath, ['-e', loader, JSON.stringify(functions)], {
          env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NODE_OPTIONS: '' },
          encoding: 'utf8',
        }),
      ) as Record<string, string>;

      // Assess
      expect(functions.length).toBeGreaterThan(0);
      expect(exported).toEqual(Object.fromEntries(functions.map(({ fn }) => [fn, 'function'])));
    });
  });

  describe('entries of its own', () => {
    let directory: string;
    let entry: string;

    beforeEach(() => {
      directory = mkdtempSync(path.join(tmpdir(), 'ws-notify-ensure-'));
      entry = path.join(directory, 'versioned.ts');
    });

    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    const write = (version: string) => writeFileSync(entry, `export const handler = async (): Promise<string> => ${JSON.stringify(version)};\n`);
    const ensure = () => ensureFunctionBundles({ entries: { versioned: entry }, directory: path.join(directory, 'out') });
    const bundle = (awsSdk: 'bundled' | 'runtime') => readFileSync(path.join(directory, 'out', awsSdk, 'versioned', 'index.js'), 'utf8');

    it('builds when a source changes, and only then', () => {
      // Prepare
      write('v1');

      // Act
      const first = ensure();
      const second = ensure();
      write('v2');
      // The same size: the change must be seen by its modification time.
      utimesSync(entry, new Date(), new Date(Date.now() + 2000));
      const third = ensure();

      // Assess
      expect([first.built, second.built, third.built]).toEqual([true, false, true]);
      expect(bundle('bundled')).toContain('"v2"');
      expect(bundle('runtime')).toContain('"v2"');
    });

    it('builds again when a bundle was removed', () => {
      // Prepare
      write('v1');
      ensure();
      rmSync(path.join(directory, 'out', 'runtime', 'versioned'), { recursive: true });

      // Act & Assess
      expect(ensure().built).toBe(true);
      expect(bundle('runtime')).toContain('"v1"');
    });

    it('fails with FunctionBundleError, naming the entry, when it does not build', () => {
      // Prepare
      writeFileSync(entry, 'export const handler = (;\n');

      // Act & Assess
      expect(ensure).toThrow(FunctionBundleError);
      expect(ensure).toThrow(/could not bundle versioned: .*versioned\.ts:1:\d+: /);
    });
  });
});
