/**
 * A small hand-written template shaped like a synthesized ws-notify stack (one route, one queue
 * with its DLQ and consumer, one table), and a way to change one resource for an error case.
 */
export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; Condition?: string }>;

const lambdaArn = (id: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:', { Ref: 'AWS::Region' }, ':lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': [id, 'Arn'] }, '/invocations']],
});

export function minimalTemplate(): { Resources: Resources; Outputs: Record<string, { Value: unknown }>; [section: string]: unknown } {
  return {
    Resources: {
      Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'test', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' } },
      Stage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Api' }, StageName: 'test', AutoDeploy: true } },
      PingIntegration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Api' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('Ping') } },
      PingRoute: {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: { ApiId: { Ref: 'Api' }, RouteKey: 'ping', Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'PingIntegration' }]] }, RouteResponseSelectionExpression: '$default' },
      },
      PingRouteResponse: { Type: 'AWS::ApiGatewayV2::RouteResponse', Properties: { ApiId: { Ref: 'Api' }, RouteId: { Ref: 'PingRoute' }, RouteResponseKey: '$default' } },
      Ping: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Handler: 'index.handler',
          Runtime: 'nodejs24.x',
          Code: { S3Bucket: 'b', S3Key: 'k.zip' },
          Role: { 'Fn::GetAtt': ['PingRole', 'Arn'] },
          Environment: { Variables: { TABLE: { Ref: 'Table' } } },
        },
        Metadata: { 'aws:asset:path': '/assets/ping', 'aws:asset:is-bundled': false, 'aws:asset:property': 'Code' },
      },
      PingRole: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      Table: {
        Type: 'AWS::DynamoDB::GlobalTable',
        Properties: {
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
          Replicas: [{ Region: { Ref: 'AWS::Region' } }],
        },
      },
      WorkQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: { VisibilityTimeout: 60, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['WorkDeadLetterQueue', 'Arn'] }, maxReceiveCount: 3 } },
        Metadata: { 'ws-notify:name': 'Work' },
      },
      WorkDeadLetterQueue: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } },
      Worker: {
        Type: 'AWS::Lambda::Function',
        Properties: { Handler: 'index.main', Runtime: 'nodejs22.x', Timeout: 10, MemorySize: 512, ReservedConcurrentExecutions: 2 },
        Metadata: { 'aws:asset:path': '/assets/worker', 'aws:asset:property': 'Code' },
      },
      WorkerMapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: { FunctionName: { Ref: 'Worker' }, EventSourceArn: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] }, BatchSize: 5, MaximumBatchingWindowInSeconds: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 4 } },
      },
    },
    Outputs: { QueueUrl: { Value: { Ref: 'WorkQueue' } } },
  };
}

/** The minimal template with one resource replaced (or removed when `resource` is undefined). */
export function templateWith(logicalId: string, resource: Resources[string] | undefined): ReturnType<typeof minimalTemplate> {
  const template = minimalTemplate();
  if (resource === undefined) delete template.Resources[logicalId];
  else template.Resources[logicalId] = resource;
  return template;
}

/** The minimal template with properties of one resource changed (a property set to undefined is removed). */
export function templateWithProperties(logicalId: string, properties: Record<string, unknown>): ReturnType<typeof minimalTemplate> {
  const template = minimalTemplate();
  const resource = template.Resources[logicalId]!;
  const merged: Record<string, unknown> = { ...resource.Properties, ...properties };
  for (const [key, value] of Object.entries(properties)) if (value === undefined) delete merged[key];
  template.Resources[logicalId] = { ...resource, Properties: merged };
  return template;
}
