/**
 * The contract between infra/ and the local runtime: the runtime reads the templates the CDK
 * synthesizes — the project's stage stacks, and any stack that holds the WsNotify construct — and
 * finds the service in them by the names the construct writes, whatever the logical ids.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { cdkJsonContext } from '../../infra/app-factory';
import { functionCodeDirectory } from '../../infra/function-code';
import { getStage, withOverrides } from '../../infra/stages';
import { WsNotify } from '../../infra/ws-notify';
import { type CfnTemplate } from '../../src/local/template/cfn-template';
import { createLocalIntrinsicContext } from '../../src/local/template/local-intrinsic-context';
import { readStackTemplate } from '../../src/local/template/read-stack-template';
import { type IntrinsicContext, resolveToString } from '../../src/local/template/resolve-intrinsics';
import { type QueueModel, type StackModel, type TableModel } from '../../src/local/template/stack-model';
import { LOCAL_SYNTH_CONTEXT, synthesizeStackTemplate } from '../../src/local/template/synthesize-stack-template';
import { ensureFunctionBundles } from '../../src/tooling/function-bundles';
import { MissingStageKeyError } from '../../src/tooling/stage-keys';
import { useTemporaryKeys } from './helpers/temporary-keys';

/** A directory that stands for a function's code asset (read, never run, here): the test handlers, `echo-route.handler`. */
const ASSET_DIRECTORY = path.join(__dirname, '..', 'fixtures', 'functions');

function named<T extends { readonly name: string }>(items: Readonly<Record<string, T>>, name: string): T {
  const found = Object.values(items).find((item) => item.name === name);
  if (found === undefined) throw new Error(`nothing named ${name}`);
  return found;
}

const queueId = (model: StackModel, name: string): string => named<QueueModel>(model.queues, name).logicalId;
const tableId = (model: StackModel): string => named<TableModel>(model.tables, 'Connections').logicalId;
const inboxTableId = (model: StackModel): string => named<TableModel>(model.tables, 'Inbox').logicalId;

describe('The local runtime reading synthesized templates', () => {
  useTemporaryKeys();

  describe.each(['local', 'dev', 'prod'])('the stack of stage %s', (stageName) => {
    const stage = getStage(stageName);
    let model: StackModel;
    beforeAll(() => {
      const { stackName, template } = synthesizeStackTemplate({ stage });
      model = readStackTemplate(template, { stackName });
    });

    it('reads the API: route selection, every route with its function and route response, the stage', () => {
      // Assess
      expect(model.stackName).toBe(`WsNotify-${stageName}`);
      expect(model.api).toMatchObject({ name: `ws-notify-${stageName}`, routeSelectionExpression: '$request.body.action', stageName });
      expect([...model.api.routes].sort((a, b) => a.routeKey.localeCompare(b.routeKey))).toEqual([
        { routeKey: '$connect', functionId: 'Connect', returnResponse: false },
        { routeKey: '$default', functionId: 'Default', returnResponse: true },
        { routeKey: '$disconnect', functionId: 'Disconnect', returnResponse: false },
        { routeKey: 'authorize', functionId: 'Authorize', returnResponse: true },
        { routeKey: 'keepalive', mock: { response: '{"type":"pong"}' }, returnResponse: true },
        { routeKey: 'ping', functionId: 'Ping', returnResponse: true },
        { routeKey: 'resume', functionId: 'Resume', returnResponse: true },
      ]);
    });

    it("reads the authorizer and its identity source only in mode 'authorizer'", () => {
      // Assess
      if (stage.authMode === 'authorizer') {
        expect(model.api.authorizer).toEqual({ logicalId: expect.stringMatching(/Authorizer/) as string, functionId: 'Authorizer', identitySource: ['route.request.querystring.token'] });
      } else {
        expect(model.api.authorizer).toBeUndefined();
      }
    });

    it('reads every function by its name: the bundle it deploys, handler, environment with intrinsics kept, timeout and memory', () => {
      // Assess
      expect(Object.keys(model.functions).sort()).toEqual(
        ['Authorize', 'AuthorizeDeadline', 'Connect', 'Default', 'Disconnect', 'NotifyConnection', 'NotifyUser', 'Ping', 'Resume', ...(stage.authMode === 'authorizer' ? ['Authorizer'] : [])].sort(),
      );
      expect(model.functions.NotifyUser).toEqual({
        logicalId: expect.stringMatching(/^WsNotifyNotifyUserFunction[0-9A-F]{8}$/) as string,
        name: 'NotifyUser',
        codeDirectory: functionCodeDirectory('notify-user'),
        handlerModule: 'index',
        handlerExport: 'handler',
        environment: {
          STAGE: stageName,
          POWERTOOLS_SERVICE_NAME: 'ws-notify',
          POWERTOOLS_METRICS_NAMESPACE: 'WsNotify',
          POWERTOOLS_LOG_LEVEL: stage.logLevel,
          NODE_OPTIONS: '--enable-source-maps',
          CONNECTIONS_TABLE_NAME: { Ref: tableId(model) },
          CONNECTIONS_USER_INDEX_NAME: 'byUser',
          INBOX_TABLE_NAME: { Ref: inboxTableId(model) },
          INBOX_ID_INDEX_NAME: 'byId',
          INBOX_RETENTION_SECONDS: '86400',
          NOTIFY_CONNECTION_QUEUE_URL: { Ref: queueId(model, 'NotifyConnection') },
          DEAD_LETTER_QUEUE_URL: { Ref: queueId(model, 'NotifyUserDeadLetter') },
        },
        timeoutSeconds: 20,
        memorySizeMb: 512,
      });
      expect(model.functions.Ping).toMatchObject({ codeDirectory: functionCodeDirectory('ping'), timeoutSeconds: 10, memorySizeMb: 256 });
      expect(model.functions.Ping?.reservedConcurrency).toBeUndefined();
    });

    it('reads the connections table and the inbox by their names, with their keys, indexes and TTL attribute', () => {
      // Assess
      expect(Object.values(model.tables).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
        {
          logicalId: expect.stringMatching(/^WsNotifyConnectionsTable[0-9A-F]{8}$/) as string,
          name: 'Connections',
          partitionKey: { name: 'connectionId', type: 'S' },
          globalSecondaryIndexes: [
            {
              indexName: 'byUser',
              partitionKey: { name: 'userId', type: 'S' },
              sortKey: { name: 'connectionId', type: 'S' },
              projection: { type: 'INCLUDE', nonKeyAttributes: ['expiresAt', 'ttl'] },
            },
          ],
          localSecondaryIndexes: [],
          ttlAttribute: 'ttl',
        },
        {
          logicalId: expect.stringMatching(/^WsNotifyInboxTable[0-9A-F]{8}$/) as string,
          name: 'Inbox',
          partitionKey: { name: 'userId', type: 'S' },
          sortKey: { name: 'sk', type: 'S' },
          globalSecondaryIndexes: [],
          localSecondaryIndexes: [
            {
              indexName: 'byId',
              partitionKey: { name: 'userId', type: 'S' },
              sortKey: { name: 'id', type: 'S' },
              projection: { type: 'INCLUDE', nonKeyAttributes: ['storedAt'] },
            },
          ],
          ttlAttribute: 'ttl',
        },
      ]);
    });

    it('reads every queue by its name, with its redrive to its DLQ', () => {
      // Assess
      expect(Object.values(model.queues).map((queue) => queue.name).sort()).toEqual(
        ['AuthorizeDeadline', 'AuthorizeDeadlineDeadLetter', 'NotifyConnection', 'NotifyConnectionDeadLetter', 'NotifyUser', 'NotifyUserDeadLetter'],
      );
      expect(named(model.queues, 'NotifyUser')).toEqual({
        logicalId: queueId(model, 'NotifyUser'),
        name: 'NotifyUser',
        visibilityTimeoutSeconds: 120,
        delaySeconds: 0,
        redrive: { deadLetterQueueId: queueId(model, 'NotifyUserDeadLetter'), maxReceiveCount: 5 },
      });
      expect(named(model.queues, 'NotifyUserDeadLetter')).toMatchObject({ visibilityTimeoutSeconds: 30, delaySeconds: 0, messageRetentionSeconds: 1209600 });
    });

    it('reads the event source mappings with batch size, window and ReportBatchItemFailures', () => {
      // Assess
      const mappings = model.eventSourceMappings.map(({ functionId, queueId: queue, batchSize, maximumBatchingWindowSeconds, reportBatchItemFailures }) => ({
        functionId,
        queue: model.queues[queue]?.name,
        batchSize,
        maximumBatchingWindowSeconds,
        reportBatchItemFailures,
      }));
      expect(mappings.sort((a, b) => a.functionId.localeCompare(b.functionId))).toEqual([
        { functionId: 'AuthorizeDeadline', queue: 'AuthorizeDeadline', batchSize: 10, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true },
        { functionId: 'NotifyConnection', queue: 'NotifyConnection', batchSize: 10, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true },
        { functionId: 'NotifyUser', queue: 'NotifyUser', batchSize: 10, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true },
      ]);
    });

    it("reads the stage's concurrency: the consumers' MaximumConcurrency (dev, prod), the handshake's reserved concurrency (prod only)", () => {
      // Prepare
      const mapping = (functionId: string) => model.eventSourceMappings.find((candidate) => candidate.functionId === functionId);

      // Assess
      expect(mapping('NotifyUser')?.maximumConcurrency).toBe(stage.concurrency?.notifyUser);
      expect(mapping('NotifyConnection')?.maximumConcurrency).toBe(stage.concurrency?.notifyConnection);
      expect(model.functions.Connect?.reservedConcurrency).toBe(stage.concurrency?.connect);
      expect(model.functions.Authorizer?.reservedConcurrency).toBe(stage.concurrency?.authorizer);
      const expected = { local: undefined, dev: { notifyUser: 10, notifyConnection: 20 }, prod: { notifyUser: 10, notifyConnection: 20, authorizer: 100, connect: 100 } };
      expect(stage.concurrency).toEqual(expected[stageName as keyof typeof expected]);
    });

    describe('resolved with a local stack context', () => {
      let context: IntrinsicContext;
      beforeAll(() => {
        context = createLocalIntrinsicContext(model, {
          apiId: 'l0c4l4p1id',
          gateway: { http: 'http://127.0.0.1:3001', ws: 'ws://127.0.0.1:3001' },
          tableNames: { [tableId(model)]: 'ws-notify-local-connections', [inboxTableId(model)]: 'ws-notify-local-inbox' },
          queueUrls: Object.fromEntries(Object.values(model.queues).map((queue) => [queue.logicalId, `http://127.0.0.1:9324/000000000000/${queue.name}`])),
        });
      });

      it('resolves every environment variable of every function to a string', () => {
        for (const fn of Object.values(model.functions)) {
          for (const [name, value] of Object.entries(fn.environment)) {
            expect(typeof resolveToString(value, context, `${fn.logicalId}.Environment.${name}`)).toBe('string');
          }
        }
      });

      it('points the functions at the local table, queues and management API', () => {
        // Act
        const env = (fn: string, name: string) => resolveToString(model.functions[fn]!.environment[name], context, `${fn}.${name}`);

        // Assess
        expect(env('Ping', 'CONNECTIONS_TABLE_NAME')).toBe('ws-notify-local-connections');
        expect(env('Resume', 'INBOX_TABLE_NAME')).toBe('ws-notify-local-inbox');
        expect(env('Resume', 'CALLBACK_URL')).toBe(`http://127.0.0.1:3001/${stageName}`);
        expect(env('NotifyConnection', 'CALLBACK_URL')).toBe(`http://127.0.0.1:3001/${stageName}`);
        expect(env('Authorize', 'CALLBACK_URL')).toBe(`http://127.0.0.1:3001/${stageName}`);
        expect(env('NotifyUser', 'NOTIFY_CONNECTION_QUEUE_URL')).toBe('http://127.0.0.1:9324/000000000000/NotifyConnection');
        expect(env('NotifyUser', 'DEAD_LETTER_QUEUE_URL')).toBe('http://127.0.0.1:9324/000000000000/NotifyUserDeadLetter');
      });
    });
  });

  describe('Function: synthesizeStackTemplate', () => {
    it("returns the stage's stack name and template, built as overridden (here: mode action)", () => {
      // Act
      const authorizer = synthesizeStackTemplate({ stage: getStage('local') });
      const action = synthesizeStackTemplate({ stage: withOverrides(getStage('local'), { authMode: 'action', authorizeDeadlineSeconds: 5 }) });

      // Assess
      const types = (template: CfnTemplate) => Object.values(template.Resources).map((resource) => resource.Type);
      expect(authorizer.stackName).toBe('WsNotify-local');
      expect(authorizer.template.Description).toBe('ws-notify, stage local (auth mode authorizer)');
      expect(types(authorizer.template)).toContain('AWS::ApiGatewayV2::Authorizer');
      expect(types(action.template)).not.toContain('AWS::ApiGatewayV2::Authorizer');
      expect(readStackTemplate(action.template).functions.Connect?.environment).toMatchObject({ AUTH_MODE: 'action', AUTHORIZE_DEADLINE_SECONDS: '5' });
    });

    it('applies configure to the stack before synthesis', () => {
      // Act
      const { template } = synthesizeStackTemplate({
        stage: getStage('local'),
        configure: (stack) => {
          const handler = new LambdaFunction(stack, 'Echo', { runtime: Runtime.NODEJS_24_X, handler: 'echo-route.handler', code: Code.fromAsset(ASSET_DIRECTORY) });
          stack.service.addRoute('echo', { handler, returnResponse: true });
        },
      });
      const model = readStackTemplate(template);

      // Assess
      const route = model.api.routes.find((candidate) => candidate.routeKey === 'echo');
      expect(route).toEqual({ routeKey: 'echo', functionId: expect.stringMatching(/^Echo[0-9A-F]{8}$/) as string, returnResponse: true });
      expect(model.functions[route!.functionId!]).toMatchObject({ codeDirectory: ASSET_DIRECTORY, handlerModule: 'echo-route', handlerExport: 'handler' });
    });

    it('bundles nothing at synthesis (the functions are bundled ahead of it)', () => {
      // Prepare: aws-cdk-lib announces every bundling on stderr.
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);

      // Act
      try {
        synthesizeStackTemplate({ stage: getStage('local') });
      } finally {
        stderr.mockRestore();
      }

      // Assess
      expect(stderr.mock.calls.map(([chunk]) => String(chunk)).filter((line) => line.includes('Bundling asset'))).toEqual([]);
    });

    it('fails with MissingStageKeyError for a stage whose key pair has not been made', () => {
      // Act & Assess
      expect(() => synthesizeStackTemplate({ stage: { ...getStage('prod'), name: 'staging' } })).toThrow(MissingStageKeyError);
    });
  });

  describe('a stack of an existing app that holds the construct', () => {
    let outdir: string;
    let model: StackModel;
    beforeAll(() => {
      ensureFunctionBundles();
      outdir = mkdtempSync(path.join(tmpdir(), 'ws-notify-existing-app-'));
      // CloudFormation schema validation is off, as in the construct's own tests: it is not what this
      // test reads, and it costs more than the rest of the file (cdk synth and cdk-nag keep it).
      const app = new App({ outdir, context: { ...cdkJsonContext(), ...LOCAL_SYNTH_CONTEXT }, builtinCloudFormationValidation: false });
      const stack = new Stack(app, 'ReportsApp');
      const reports = new Queue(stack, 'ReportsReady');
      const reportReady = new LambdaFunction(stack, 'ReportReady', { runtime: Runtime.NODEJS_24_X, handler: 'echo-route.handler', code: Code.fromAsset(ASSET_DIRECTORY) });
      reportReady.addEventSource(new SqsEventSource(reports));
      const notify = new WsNotify(stack, 'Notifications', {
        stageName: 'live',
        authMode: 'action',
        jwt: { issuer: 'https://id.example.com/', audience: 'reports', algorithms: ['RS256'], key: { jwksUrl: 'https://id.example.com/.well-known/jwks.json' } },
      });
      notify.grantNotify(reportReady, { connections: false });
      model = readStackTemplate(app.synth().getStackByName('ReportsApp').template, { stackName: 'ReportsApp' });
    });

    afterAll(() => rmSync(outdir, { recursive: true, force: true }));

    it("finds the service's API, functions, table and queues by their names, beside the app's own", () => {
      // Assess
      expect(model.stackName).toBe('ReportsApp');
      expect(model.api.stageName).toBe('live');
      expect(model.api.routes.flatMap((route) => (route.mock === undefined ? [route.functionId] : [])).sort()).toEqual(['Authorize', 'Connect', 'Default', 'Disconnect', 'Ping', 'Resume']);
      expect(model.api.routes.filter((route) => route.mock !== undefined).map((route) => route.routeKey)).toEqual(['keepalive']);
      expect(named<TableModel>(model.tables, 'Connections').logicalId).toMatch(/^NotificationsConnectionsTable[0-9A-F]{8}$/);
      expect(named<TableModel>(model.tables, 'Inbox').logicalId).toMatch(/^NotificationsInboxTable[0-9A-F]{8}$/);
      expect(Object.values(model.queues).map((queue) => queue.name)).toEqual(
        expect.arrayContaining(['NotifyUser', 'NotifyUserDeadLetter', 'NotifyConnection', 'NotifyConnectionDeadLetter', 'AuthorizeDeadline', 'AuthorizeDeadlineDeadLetter']),
      );
      expect(model.functions.NotifyUser?.codeDirectory).toBe(functionCodeDirectory('notify-user'));
    });

    it("reads the app's own queue and function, named by their logical ids, and the mapping between them", () => {
      // Assess
      const own = Object.values(model.functions).filter((fn) => fn.name.startsWith('ReportReady'));
      expect(own).toHaveLength(1);
      expect(own[0]).toMatchObject({ name: own[0]!.logicalId, codeDirectory: ASSET_DIRECTORY, handlerModule: 'echo-route' });
      expect(own[0]!.environment).toEqual({});
      const mapping = model.eventSourceMappings.find((candidate) => candidate.functionId === own[0]!.name);
      expect(model.queues[mapping!.queueId]?.name).toMatch(/^ReportsReady[0-9A-F]{8}$/);
    });
  });
});
