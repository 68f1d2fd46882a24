import path from 'node:path';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { functionCodeDirectory } from '../../../../infra/function-code';
import { getStage, withOverrides } from '../../../../infra/stages';
import { AWS_ONLY_RESOURCE_TYPES, readStackTemplate } from '../../../../src/local/template/read-stack-template';
import { type StackModel } from '../../../../src/local/template/stack-model';
import { synthesizeStackTemplate } from '../../../../src/local/template/synthesize-stack-template';
import { StackTemplateError } from '../../../../src/local/template/template-errors';
import { useTemporaryKeys } from '../../../infra/helpers/temporary-keys';
import { minimalTemplate, templateWith, templateWithProperties } from './template-factory';

const FIXTURES = path.join(__dirname, 'fixtures');

function readError(template: unknown): StackTemplateError {
  try {
    readStackTemplate(template, { stackName: 'Test' });
  } catch (error) {
    if (error instanceof StackTemplateError) return error;
    throw error;
  }
  throw new Error('readStackTemplate did not throw');
}

describe('Function: readStackTemplate', () => {
  describe('the synthesized templates of the shipped stages', () => {
    useTemporaryKeys();

    describe.each(['local', 'dev', 'prod'])('stage %s', (stageName) => {
      const stage = getStage(stageName);
      let model: StackModel;
      beforeAll(() => {
        const { stackName, template } = synthesizeStackTemplate({ stage });
        model = readStackTemplate(template, { stackName });
      });

      it('reads the API: route selection, every route with its function and route response, the stage', () => {
        // Assess
        expect(model.stackName).toBe(`WsNotify-${stageName}`);
        expect(model.api).toMatchObject({ logicalId: 'WebSocketApi', name: `ws-notify-${stageName}`, routeSelectionExpression: '$request.body.action', stageName });
        expect([...model.api.routes].sort((a, b) => a.routeKey.localeCompare(b.routeKey))).toEqual([
          { routeKey: '$connect', functionId: 'Connect', returnResponse: false },
          { routeKey: '$default', functionId: 'Default', returnResponse: true },
          { routeKey: '$disconnect', functionId: 'Disconnect', returnResponse: false },
          { routeKey: 'authorize', functionId: 'Authorize', returnResponse: true },
          { routeKey: 'ping', functionId: 'Ping', returnResponse: true },
        ]);
      });

      it("reads the authorizer and its identity source only in mode 'authorizer'", () => {
        // Assess
        if (stage.authMode === 'authorizer') {
          expect(model.api.authorizer).toEqual({ logicalId: expect.stringMatching(/^WebSocketApiAuthorizer/) as string, functionId: 'Authorizer', identitySource: ['route.request.querystring.token'] });
        } else {
          expect(model.api.authorizer).toBeUndefined();
        }
      });

      it('reads every function: its code asset, handler, environment with intrinsics kept, timeout and memory', () => {
        // Assess
        const ids = Object.keys(model.functions).sort();
        expect(ids).toEqual(
          ['Authorize', 'AuthorizeDeadline', 'Connect', 'Default', 'Disconnect', 'NotifyConnection', 'NotifyUser', 'Ping', ...(stage.authMode === 'authorizer' ? ['Authorizer'] : [])].sort(),
        );
        expect(model.functions.NotifyUser).toEqual({
          logicalId: 'NotifyUser',
          codeDirectory: functionCodeDirectory('notify-user'),
          handlerModule: 'index',
          handlerExport: 'handler',
          environment: {
            STAGE: stageName,
            POWERTOOLS_SERVICE_NAME: 'ws-notify',
            POWERTOOLS_LOG_LEVEL: stage.logLevel,
            NODE_OPTIONS: '--enable-source-maps',
            CONNECTIONS_TABLE_NAME: { Ref: 'ConnectionsTable' },
            CONNECTIONS_USER_INDEX_NAME: 'byUser',
            NOTIFY_CONNECTION_QUEUE_URL: { Ref: 'NotifyConnectionQueue' },
            DEAD_LETTER_QUEUE_URL: { Ref: 'NotifyUserDeadLetterQueue' },
          },
          timeoutSeconds: 30,
          memorySizeMb: 512,
        });
        expect(model.functions.Ping).toMatchObject({ codeDirectory: functionCodeDirectory('ping'), timeoutSeconds: 10, memorySizeMb: 256 });
        expect(model.functions.Ping?.reservedConcurrency).toBeUndefined();
      });

      it('reads the connections table with its key, the byUser index and the TTL attribute', () => {
        // Assess
        expect(model.tables).toEqual({
          ConnectionsTable: {
            logicalId: 'ConnectionsTable',
            partitionKey: { name: 'connectionId', type: 'S' },
            globalSecondaryIndexes: [
              {
                indexName: 'byUser',
                partitionKey: { name: 'userId', type: 'S' },
                sortKey: { name: 'connectionId', type: 'S' },
                projection: { type: 'INCLUDE', nonKeyAttributes: ['expiresAt', 'ttl'] },
              },
            ],
            ttlAttribute: 'ttl',
          },
        });
      });

      it('reads every queue by name with its redrive to its DLQ', () => {
        // Assess
        expect(Object.values(model.queues).map((queue) => queue.name).sort()).toEqual(
          ['AuthorizeDeadline', 'AuthorizeDeadlineDeadLetter', 'NotifyConnection', 'NotifyConnectionDeadLetter', 'NotifyUser', 'NotifyUserDeadLetter'],
        );
        expect(model.queues.NotifyUserQueue).toEqual({
          logicalId: 'NotifyUserQueue',
          name: 'NotifyUser',
          visibilityTimeoutSeconds: 180,
          delaySeconds: 0,
          redrive: { deadLetterQueueId: 'NotifyUserDeadLetterQueue', maxReceiveCount: 5 },
        });
        expect(model.queues.NotifyUserDeadLetterQueue).toEqual({
          logicalId: 'NotifyUserDeadLetterQueue',
          name: 'NotifyUserDeadLetter',
          visibilityTimeoutSeconds: 30,
          delaySeconds: 0,
          messageRetentionSeconds: 1209600,
        });
      });

      it('reads the event source mappings with batch size, window and ReportBatchItemFailures', () => {
        // Assess
        expect(model.eventSourceMappings.map(({ functionId, queueId, batchSize, maximumBatchingWindowSeconds, reportBatchItemFailures }) => ({
          functionId, queueId, batchSize, maximumBatchingWindowSeconds, reportBatchItemFailures,
        })).sort((a, b) => a.functionId.localeCompare(b.functionId))).toEqual([
          { functionId: 'AuthorizeDeadline', queueId: 'AuthorizeDeadlineQueue', batchSize: 10, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true },
          { functionId: 'NotifyConnection', queueId: 'NotifyConnectionQueue', batchSize: 10, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true },
          { functionId: 'NotifyUser', queueId: 'NotifyUserQueue', batchSize: 10, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true },
        ]);
      });

      it('keeps the outputs with their intrinsics', () => {
        // Assess
        expect(model.outputs.NotifyUserQueueUrl).toEqual({ Ref: 'NotifyUserQueue' });
        expect(model.outputs.CallbackUrl).toHaveProperty(['Fn::Join']);
        expect(Object.keys(model.outputs)).toEqual(expect.arrayContaining(['WebSocketUrl', 'CallbackUrl', 'ConnectionsTableName', 'NotifyConnectionQueueUrl']));
      });
    });

    it('serves a route added to the stack with no other change', () => {
      // Act
      const { stackName, template } = synthesizeStackTemplate({
        stage: withOverrides(getStage('local'), { authMode: 'action' }),
        configure: (stack) => {
          const handler = new LambdaFunction(stack, 'Echo', { runtime: Runtime.NODEJS_24_X, handler: 'echo.handler', code: Code.fromAsset(FIXTURES) });
          stack.addRoute('echo', { handler, returnResponse: true });
        },
      });
      const model = readStackTemplate(template, { stackName });

      // Assess
      const route = model.api.routes.find((candidate) => candidate.routeKey === 'echo');
      expect(route).toEqual({ routeKey: 'echo', functionId: expect.stringMatching(/^Echo[0-9A-F]{8}$/) as string, returnResponse: true });
      expect(model.functions[route!.functionId]).toMatchObject({ codeDirectory: FIXTURES, handlerModule: 'echo', handlerExport: 'handler' });
      expect(model.api.authorizer).toBeUndefined();
    });
  });

  describe('a small hand-written template', () => {
    it('reads it, skipping resources that only matter on AWS', () => {
      // Act
      const model = readStackTemplate(minimalTemplate(), { stackName: 'Test' });

      // Assess
      expect(model).toEqual({
        stackName: 'Test',
        api: { logicalId: 'Api', name: 'test', routeSelectionExpression: '$request.body.action', routes: [{ routeKey: 'ping', functionId: 'Ping', returnResponse: true }], stageName: 'test' },
        functions: {
          Ping: { logicalId: 'Ping', codeDirectory: '/assets/ping', handlerModule: 'index', handlerExport: 'handler', environment: { TABLE: { Ref: 'Table' } }, timeoutSeconds: 3, memorySizeMb: 128 },
          Worker: { logicalId: 'Worker', codeDirectory: '/assets/worker', handlerModule: 'index', handlerExport: 'main', environment: {}, timeoutSeconds: 10, memorySizeMb: 512, reservedConcurrency: 2 },
        },
        tables: { Table: { logicalId: 'Table', partitionKey: { name: 'id', type: 'S' }, globalSecondaryIndexes: [] } },
        queues: {
          WorkQueue: { logicalId: 'WorkQueue', name: 'Work', visibilityTimeoutSeconds: 60, delaySeconds: 0, redrive: { deadLetterQueueId: 'WorkDeadLetterQueue', maxReceiveCount: 3 } },
          WorkDeadLetterQueue: { logicalId: 'WorkDeadLetterQueue', name: 'WorkDeadLetterQueue', visibilityTimeoutSeconds: 30, delaySeconds: 0, messageRetentionSeconds: 1209600 },
        },
        eventSourceMappings: [
          { logicalId: 'WorkerMapping', functionId: 'Worker', queueId: 'WorkQueue', batchSize: 5, maximumBatchingWindowSeconds: 1, reportBatchItemFailures: true, maximumConcurrency: 4 },
        ],
        outputs: { QueueUrl: { Ref: 'WorkQueue' } },
      });
      expect(AWS_ONLY_RESOURCE_TYPES).toEqual(expect.arrayContaining(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::Logs::LogGroup', 'AWS::CloudWatch::Alarm', 'AWS::Lambda::Permission', 'AWS::ApiGatewayV2::Deployment', 'AWS::CDK::Metadata']));
    });

    it('reads a RedrivePolicy given as a JSON string, and a plain AWS::DynamoDB::Table', () => {
      // Prepare
      const template = templateWithProperties('WorkQueue', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: { 'Fn::GetAtt': ['WorkDeadLetterQueue', 'Arn'] }, maxReceiveCount: '4' }) });
      const { Replicas: _replicas, ...tableProperties } = template.Resources.Table!.Properties!;
      template.Resources.Table = { Type: 'AWS::DynamoDB::Table', Properties: { ...tableProperties, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } } };

      // Act
      const model = readStackTemplate(template);

      // Assess
      expect(model.queues.WorkQueue?.redrive).toEqual({ deadLetterQueueId: 'WorkDeadLetterQueue', maxReceiveCount: 4 });
      expect(model.tables.Table?.partitionKey).toEqual({ name: 'id', type: 'S' });
      expect(model.stackName).toBe('stack');
    });

    it("resolves a relative asset path (as `cdk synth` stages assets) against the cloud assembly directory, and reads the handler's module", () => {
      // Prepare
      const template = templateWithProperties('Ping', { Handler: 'handlers/ping.main' });
      template.Resources.Ping!.Metadata = { 'aws:asset:path': 'asset.0123abcd', 'aws:asset:is-bundled': true, 'aws:asset:property': 'Code' };

      // Act
      const model = readStackTemplate(template, { assemblyDirectory: '/project/cdk.out' });

      // Assess
      expect(model.functions.Ping).toMatchObject({ codeDirectory: '/project/cdk.out/asset.0123abcd', handlerModule: 'handlers/ping', handlerExport: 'main' });
    });

    it('leaves out a disabled event source mapping, as Lambda polls nothing for it', () => {
      // Act
      const model = readStackTemplate(templateWithProperties('WorkerMapping', { Enabled: false }));

      // Assess
      expect(model.eventSourceMappings).toEqual([]);
    });

    it('takes the stack name from the aws:cdk:path metadata when none is given', () => {
      // Prepare
      const template = minimalTemplate();
      template.Resources.Api!.Metadata = { 'aws:cdk:path': 'WsNotify-test/WebSocketApi/Resource' };

      // Act & Assess
      expect(readStackTemplate(template).stackName).toBe('WsNotify-test');
    });

    it.each([
      ['a resource type it cannot emulate', templateWith('Topic', { Type: 'AWS::SNS::Topic' }), 'UNSUPPORTED_RESOURCE_TYPE', 'Topic (AWS::SNS::Topic): the local runtime cannot emulate this resource type'],
      ['a function property it cannot honour', templateWithProperties('Ping', { Layers: ['arn:aws:lambda:us-east-1:1:layer:x:1'] }), 'UNSUPPORTED_PROPERTY', 'Ping (AWS::Lambda::Function): property Layers cannot be honoured locally'],
      ['a function that is not Node.js', templateWithProperties('Ping', { Runtime: 'python3.13' }), 'UNSUPPORTED_PROPERTY', 'Ping (AWS::Lambda::Function): Runtime python3.13: only Node.js functions are run locally'],
      ['a function without asset metadata', templateWith('Ping', { ...minimalTemplate().Resources.Ping!, Metadata: {} }), 'MISSING_RESOURCE', 'Ping (AWS::Lambda::Function): no aws:asset:path metadata for its Code: synthesize with asset metadata (context aws:cdk:enable-asset-metadata), as the cdk CLI does'],
      ['a function whose code is a relative asset path, with no cloud assembly directory given', templateWith('Ping', { ...minimalTemplate().Resources.Ping!, Metadata: { 'aws:asset:path': 'asset.0123abcd', 'aws:asset:property': 'Code' } }), 'MISSING_RESOURCE', 'Ping (AWS::Lambda::Function): aws:asset:path asset.0123abcd is relative to a cloud assembly directory that was not given'],
      ['a handler with no module', templateWithProperties('Ping', { Handler: 'handler' }), 'INVALID_TEMPLATE', 'Ping (AWS::Lambda::Function): Handler handler is not <file>.<export>'],
      ['an intrinsic where a literal number is needed', templateWithProperties('Ping', { Timeout: { Ref: 'TimeoutParameter' } }), 'UNSUPPORTED_PROPERTY', 'Ping (AWS::Lambda::Function): Timeout must be a literal number locally'],
      ['a route with IAM authorization', templateWithProperties('PingRoute', { AuthorizationType: 'AWS_IAM' }), 'UNSUPPORTED_PROPERTY', 'PingRoute (AWS::ApiGatewayV2::Route): AuthorizationType "AWS_IAM" is not emulated'],
      ['a route that needs an API key', templateWithProperties('PingRoute', { ApiKeyRequired: true }), 'UNSUPPORTED_PROPERTY', 'PingRoute (AWS::ApiGatewayV2::Route): ApiKeyRequired: API keys are not emulated'],
      ['a route response other than $default', templateWithProperties('PingRouteResponse', { RouteResponseKey: '$error' }), 'UNSUPPORTED_PROPERTY', 'PingRouteResponse (AWS::ApiGatewayV2::RouteResponse): RouteResponseKey must be $default'],
      ['an integration that is not Lambda proxy', templateWithProperties('PingIntegration', { IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com' }), 'UNSUPPORTED_PROPERTY', 'PingIntegration (AWS::ApiGatewayV2::Integration): only Lambda proxy (AWS_PROXY) integrations are emulated'],
      ['a route whose integration is missing', templateWith('PingIntegration', undefined), 'UNRESOLVED_REFERENCE', 'PingRoute (AWS::ApiGatewayV2::Route): Target must be integrations/<Ref to an AWS::ApiGatewayV2::Integration>'],
      ['an HTTP API', templateWithProperties('Api', { ProtocolType: 'HTTP', RouteSelectionExpression: undefined }), 'UNSUPPORTED_PROPERTY', 'Api (AWS::ApiGatewayV2::Api): ProtocolType HTTP: only WEBSOCKET APIs are emulated'],
      ['no API at all', templateWith('Api', undefined), 'MISSING_RESOURCE', 'the local runtime emulates exactly one WebSocket API; the template has 0'],
      ['an API with no stage', templateWith('Stage', undefined), 'MISSING_RESOURCE', 'Api (AWS::ApiGatewayV2::Api): the WebSocket API must have exactly one stage; it has 0'],
      ['stage variables', templateWithProperties('Stage', { StageVariables: { a: 'b' } }), 'UNSUPPORTED_PROPERTY', 'Stage (AWS::ApiGatewayV2::Stage): property StageVariables cannot be honoured locally'],
      ['a FIFO queue', templateWithProperties('WorkQueue', { FifoQueue: true }), 'UNSUPPORTED_PROPERTY', 'WorkQueue (AWS::SQS::Queue): property FifoQueue cannot be honoured locally'],
      ['a redrive to a queue of another stack', templateWithProperties('WorkQueue', { RedrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:1:elsewhere', maxReceiveCount: 5 } }), 'UNSUPPORTED_PROPERTY', 'WorkQueue (AWS::SQS::Queue): RedrivePolicy.deadLetterTargetArn must be the Arn of a queue of this template'],
      ['a mapping with a filter', templateWithProperties('WorkerMapping', { FilterCriteria: { Filters: [] } }), 'UNSUPPORTED_PROPERTY', 'WorkerMapping (AWS::Lambda::EventSourceMapping): property FilterCriteria cannot be honoured locally'],
      ['a mapping from something other than SQS', templateWithProperties('WorkerMapping', { EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] } }), 'UNSUPPORTED_PROPERTY', 'WorkerMapping (AWS::Lambda::EventSourceMapping): EventSourceArn must be the Arn of an SQS queue of this template'],
      ['a table stream', templateWithProperties('Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } }), 'UNSUPPORTED_PROPERTY', 'Table (AWS::DynamoDB::GlobalTable): property StreamSpecification cannot be honoured locally'],
      ['a conditional resource', templateWith('Ping', { ...minimalTemplate().Resources.Ping!, Condition: 'IsProd' }), 'UNSUPPORTED_PROPERTY', 'Ping (AWS::Lambda::Function): Condition IsProd: conditions are not evaluated locally'],
      ['a template transform', { ...minimalTemplate(), Transform: 'AWS::Serverless-2016-10-31' }, 'UNSUPPORTED_PROPERTY', 'template section Transform cannot be honoured locally'],
      ['something that is not a template', { Resources: [] }, 'INVALID_TEMPLATE', 'not a CloudFormation template: no Resources'],
    ])('refuses %s, naming the resource and its type', (_case, template, code, message) => {
      // Act
      const error = readError(template);

      // Assess
      expect(error.code).toBe(code);
      expect(error.message).toBe(message);
    });

    it('refuses an authorizer on a route other than $connect', () => {
      // Prepare
      const template = templateWithProperties('PingRoute', { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'Auth' } });
      template.Resources.Auth = {
        Type: 'AWS::ApiGatewayV2::Authorizer',
        Properties: { ApiId: { Ref: 'Api' }, AuthorizerType: 'REQUEST', AuthorizerUri: minimalTemplate().Resources.PingIntegration!.Properties!.IntegrationUri, IdentitySource: ['route.request.querystring.token'] },
      };

      // Act
      const error = readError(template);

      // Assess
      expect(error).toMatchObject({ code: 'UNSUPPORTED_PROPERTY', logicalId: 'PingRoute', resourceType: 'AWS::ApiGatewayV2::Route' });
      expect(error.message).toBe('PingRoute (AWS::ApiGatewayV2::Route): an authorizer is only possible on $connect');
    });

    it('refuses an authorizer whose identity source it cannot read', () => {
      // Prepare
      const template = minimalTemplate();
      template.Resources.ConnectRoute = {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: { ApiId: { Ref: 'Api' }, RouteKey: '$connect', AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'Auth' }, Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'PingIntegration' }]] } },
      };
      template.Resources.Auth = {
        Type: 'AWS::ApiGatewayV2::Authorizer',
        Properties: { ApiId: { Ref: 'Api' }, AuthorizerType: 'REQUEST', AuthorizerUri: minimalTemplate().Resources.PingIntegration!.Properties!.IntegrationUri, IdentitySource: ['context.sourceIp'] },
      };

      // Act & Assess
      expect(readError(template).message).toBe(
        'Auth (AWS::ApiGatewayV2::Authorizer): IdentitySource context.sourceIp: only route.request.querystring.* and route.request.header.* are emulated',
      );
    });
  });
});
