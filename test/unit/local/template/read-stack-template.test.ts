import { AWS_ONLY_RESOURCE_TYPES, readStackTemplate } from '../../../../src/local/template/read-stack-template';
import { StackTemplateError } from '../../../../src/local/template/template-errors';
import { minimalTemplate, templateWith, templateWithProperties } from './template-factory';

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
  describe('a small hand-written template', () => {
    it('reads it, skipping resources that only matter on AWS', () => {
      // Act
      const model = readStackTemplate(minimalTemplate(), { stackName: 'Test' });

      // Assess
      expect(model).toEqual({
        stackName: 'Test',
        api: { logicalId: 'Api', name: 'test', routeSelectionExpression: '$request.body.action', routes: [{ routeKey: 'ping', functionId: 'Ping', returnResponse: true }], stageName: 'test' },
        functions: {
          Ping: { logicalId: 'Ping', name: 'Ping', codeDirectory: '/assets/ping', handlerModule: 'index', handlerExport: 'handler', environment: { TABLE: { Ref: 'Table' } }, timeoutSeconds: 3, memorySizeMb: 128 },
          Worker: { logicalId: 'Worker', name: 'Worker', codeDirectory: '/assets/worker', handlerModule: 'index', handlerExport: 'main', environment: {}, timeoutSeconds: 10, memorySizeMb: 512, reservedConcurrency: 2 },
        },
        tables: { Table: { logicalId: 'Table', name: 'Table', partitionKey: { name: 'id', type: 'S' }, globalSecondaryIndexes: [], localSecondaryIndexes: [] } },
        queues: {
          WorkQueue: { logicalId: 'WorkQueue', name: 'Work', visibilityTimeoutSeconds: 60, delaySeconds: 0, redrive: { deadLetterQueueId: 'WorkDeadLetterQueue', maxReceiveCount: 3 } },
          WorkDeadLetterQueue: { logicalId: 'WorkDeadLetterQueue', name: 'WorkDeadLetterQueue', visibilityTimeoutSeconds: 30, delaySeconds: 0, messageRetentionSeconds: 1209600 },
        },
        eventSourceMappings: [
          { logicalId: 'WorkerMapping', functionId: 'Worker', queueId: 'WorkQueue', batchSize: 5, maximumBatchingWindowSeconds: 1, reportBatchItemFailures: true, maximumConcurrency: 4 },
        ],
      });
      expect(AWS_ONLY_RESOURCE_TYPES).toEqual(expect.arrayContaining(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::Logs::LogGroup', 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard', 'AWS::Lambda::Permission', 'AWS::ApiGatewayV2::Deployment', 'AWS::CDK::Metadata']));
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

    it('names functions and tables by their ws-notify:name, in the model and in every reference to a function', () => {
      // Prepare
      const template = minimalTemplate();
      template.Resources.Ping!.Metadata = { ...template.Resources.Ping!.Metadata, 'ws-notify:name': 'PingFunction' };
      template.Resources.Worker!.Metadata = { ...template.Resources.Worker!.Metadata, 'ws-notify:name': 'Consumer' };
      template.Resources.Table!.Metadata = { 'ws-notify:name': 'Connections' };

      // Act
      const model = readStackTemplate(template);

      // Assess
      expect(Object.keys(model.functions).sort()).toEqual(['Consumer', 'PingFunction']);
      expect(model.functions.PingFunction).toMatchObject({ logicalId: 'Ping', name: 'PingFunction' });
      expect(model.api.routes).toEqual([{ routeKey: 'ping', functionId: 'PingFunction', returnResponse: true }]);
      expect(model.eventSourceMappings[0]).toMatchObject({ functionId: 'Consumer', queueId: 'WorkQueue' });
      expect(model.tables.Table).toMatchObject({ logicalId: 'Table', name: 'Connections' });
    });

    it('refuses two functions of the same name', () => {
      // Prepare
      const template = minimalTemplate();
      template.Resources.Worker!.Metadata = { ...template.Resources.Worker!.Metadata, 'ws-notify:name': 'Ping' };

      // Act
      const error = readError(template);

      // Assess
      expect(error).toMatchObject({ code: 'invalid_template', logicalId: 'Worker' });
      expect(error.message).toBe('Worker (AWS::Lambda::Function): function name Ping is also the name of Ping: the local runtime names functions by it');
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
      ['a resource type it cannot emulate', templateWith('Bucket', { Type: 'AWS::S3::Bucket' }), 'unsupported_resource_type', 'Bucket (AWS::S3::Bucket): the local runtime cannot emulate this resource type'],
      ['a function property it cannot honour', templateWithProperties('Ping', { Layers: ['arn:aws:lambda:us-east-1:1:layer:x:1'] }), 'unsupported_property', 'Ping (AWS::Lambda::Function): property Layers cannot be honoured locally'],
      ['a function that is not Node.js', templateWithProperties('Ping', { Runtime: 'python3.13' }), 'unsupported_property', 'Ping (AWS::Lambda::Function): Runtime python3.13: only Node.js functions are run locally'],
      ['a function without asset metadata', templateWith('Ping', { ...minimalTemplate().Resources.Ping!, Metadata: {} }), 'missing_resource', 'Ping (AWS::Lambda::Function): no aws:asset:path metadata for its Code: synthesize with asset metadata (context aws:cdk:enable-asset-metadata), as the cdk CLI does'],
      ['a function whose code is a relative asset path, with no cloud assembly directory given', templateWith('Ping', { ...minimalTemplate().Resources.Ping!, Metadata: { 'aws:asset:path': 'asset.0123abcd', 'aws:asset:property': 'Code' } }), 'missing_resource', 'Ping (AWS::Lambda::Function): aws:asset:path asset.0123abcd is relative to a cloud assembly directory that was not given'],
      ['a handler with no module', templateWithProperties('Ping', { Handler: 'handler' }), 'invalid_template', 'Ping (AWS::Lambda::Function): Handler handler is not <file>.<export>'],
      ['an intrinsic where a literal number is needed', templateWithProperties('Ping', { Timeout: { Ref: 'TimeoutParameter' } }), 'unsupported_property', 'Ping (AWS::Lambda::Function): Timeout must be a literal number locally'],
      ['a route with IAM authorization', templateWithProperties('PingRoute', { AuthorizationType: 'AWS_IAM' }), 'unsupported_property', 'PingRoute (AWS::ApiGatewayV2::Route): AuthorizationType "AWS_IAM" is not emulated'],
      ['a route that needs an API key', templateWithProperties('PingRoute', { ApiKeyRequired: true }), 'unsupported_property', 'PingRoute (AWS::ApiGatewayV2::Route): ApiKeyRequired: API keys are not emulated'],
      ['a route response other than $default', templateWithProperties('PingRouteResponse', { RouteResponseKey: '$error' }), 'unsupported_property', 'PingRouteResponse (AWS::ApiGatewayV2::RouteResponse): RouteResponseKey must be $default'],
      ['an integration that is not Lambda proxy', templateWithProperties('PingIntegration', { IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com' }), 'unsupported_property', 'PingIntegration (AWS::ApiGatewayV2::Integration): IntegrationType HTTP_PROXY: only Lambda proxy (AWS_PROXY) and MOCK integrations are emulated'],
      ['a route whose integration is missing', templateWith('PingIntegration', undefined), 'unresolved_reference', 'PingRoute (AWS::ApiGatewayV2::Route): Target must be integrations/<Ref to an AWS::ApiGatewayV2::Integration>'],
      ['an HTTP API', templateWithProperties('Api', { ProtocolType: 'HTTP', RouteSelectionExpression: undefined }), 'unsupported_property', 'Api (AWS::ApiGatewayV2::Api): ProtocolType HTTP: only WEBSOCKET APIs are emulated'],
      ['no API at all', templateWith('Api', undefined), 'missing_resource', 'the local runtime emulates exactly one WebSocket API; the template has 0'],
      ['an API with no stage', templateWith('Stage', undefined), 'missing_resource', 'Api (AWS::ApiGatewayV2::Api): the WebSocket API must have exactly one stage; it has 0'],
      ['stage variables', templateWithProperties('Stage', { StageVariables: { a: 'b' } }), 'unsupported_property', 'Stage (AWS::ApiGatewayV2::Stage): property StageVariables cannot be honoured locally'],
      ['a FIFO queue', templateWithProperties('WorkQueue', { FifoQueue: true }), 'unsupported_property', 'WorkQueue (AWS::SQS::Queue): property FifoQueue cannot be honoured locally'],
      ['a redrive to a queue of another stack', templateWithProperties('WorkQueue', { RedrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:1:elsewhere', maxReceiveCount: 5 } }), 'unsupported_property', 'WorkQueue (AWS::SQS::Queue): RedrivePolicy.deadLetterTargetArn must be the Arn of a queue of this template'],
      ['a mapping with a filter', templateWithProperties('WorkerMapping', { FilterCriteria: { Filters: [] } }), 'unsupported_property', 'WorkerMapping (AWS::Lambda::EventSourceMapping): property FilterCriteria cannot be honoured locally'],
      ['a mapping from something other than SQS', templateWithProperties('WorkerMapping', { EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] } }), 'unsupported_property', 'WorkerMapping (AWS::Lambda::EventSourceMapping): EventSourceArn must be the Arn of an SQS queue of this template'],
      ['a table stream', templateWithProperties('Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } }), 'unsupported_property', 'Table (AWS::DynamoDB::GlobalTable): property StreamSpecification cannot be honoured locally'],
      ['a conditional resource', templateWith('Ping', { ...minimalTemplate().Resources.Ping!, Condition: 'IsProd' }), 'unsupported_property', 'Ping (AWS::Lambda::Function): Condition IsProd: conditions are not evaluated locally'],
      ['a template transform', { ...minimalTemplate(), Transform: 'AWS::Serverless-2016-10-31' }, 'unsupported_property', 'template section Transform cannot be honoured locally'],
      ['something that is not a template', { Resources: [] }, 'invalid_template', 'not a CloudFormation template: no Resources'],
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
      expect(error).toMatchObject({ code: 'unsupported_property', logicalId: 'PingRoute', resourceType: 'AWS::ApiGatewayV2::Route' });
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
