import { readFileSync } from 'node:fs';
import { type Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { ACCESS_LOG_FIELDS } from '../../infra/access-log-format';
import { getStage, withOverrides, type StageConfig } from '../../infra/stages';
import { AUTHORIZER_IDENTITY_SOURCE } from '../../infra/ws-notify';
import { functionCodeDirectory } from '../../infra/function-code';
import { KEEP_ALIVE_REPLY, KEEP_ALIVE_ROUTE_KEY } from '../../src/commons/constants';
import { SDK_CALL_LIMIT_MS } from '../../src/commons/sdk-timeouts';
import { MissingStageKeyError, stageKeyPaths } from '../../src/tooling/stage-keys';
import { logicalIdsOfType, render, SHIPPED_STAGES, synthesizeStage, type CfnJson } from './helpers/stack-template';
import { useTemporaryKeys } from './helpers/temporary-keys';

const ROUTE_FUNCTIONS: Readonly<Record<string, string>> = {
  $connect: 'Connect',
  $disconnect: 'Disconnect',
  authorize: 'Authorize',
  ping: 'Ping',
  resume: 'Resume',
  $default: 'Default',
};
const QUEUE_CONSUMERS: Readonly<Record<string, string>> = {
  NotifyUserQueue: 'NotifyUser',
  NotifyConnectionQueue: 'NotifyConnection',
  AuthorizeDeadlineQueue: 'AuthorizeDeadline',
};
/** The bundle (src/functions entry) each function runs. */
const BUNDLES: Readonly<Record<string, string>> = {
  Authorizer: 'authorizer',
  Connect: 'connect',
  Disconnect: 'disconnect',
  Authorize: 'authorize',
  Ping: 'ping',
  Resume: 'resume',
  Default: 'default',
  AuthorizeDeadline: 'authorize-deadline',
  NotifyUser: 'notify-user',
  NotifyConnection: 'notify-connection',
};

function routesByKey(json: CfnJson): Map<string, { id: string; props: Record<string, unknown> }> {
  const routes = new Map<string, { id: string; props: Record<string, unknown> }>();
  for (const id of logicalIdsOfType(json, 'AWS::ApiGatewayV2::Route')) {
    const props = json.Resources[id]!.Properties!;
    routes.set(props.RouteKey as string, { id, props });
  }
  return routes;
}

/** The function a route's integration invokes. */
function routeFunction(json: CfnJson, routeProps: Record<string, unknown>): string {
  const integrationId = /^integrations\/<(.+)>$/.exec(render(routeProps.Target))?.[1];
  const uri = render(json.Resources[integrationId!]!.Properties!.IntegrationUri);
  return /functions\/<(\w+)\.Arn>\/invocations$/.exec(uri)![1]!;
}

function functionProps(json: CfnJson, id: string): Record<string, unknown> {
  const resource = json.Resources[id];
  if (resource?.Type !== 'AWS::Lambda::Function') throw new Error(`${id} is not a function`);
  return resource.Properties!;
}

function environmentOf(json: CfnJson, id: string): Record<string, unknown> {
  return (functionProps(json, id).Environment as { Variables: Record<string, unknown> }).Variables;
}

describe('Class: WsNotifyStack', () => {
  const keysDirectory = useTemporaryKeys();

  describe.each(SHIPPED_STAGES)('stage %s', (stageName) => {
    const stage = getStage(stageName);
    let json: CfnJson;
    let template: ReturnType<typeof synthesizeStage>['template'];
    beforeAll(() => {
      ({ json, template } = synthesizeStage(stage));
    });

    it('has the six function routes, each on its own function, and the keep-alive route', () => {
      // Assess
      const routes = routesByKey(json);
      expect([...routes.keys()].sort()).toEqual([...Object.keys(ROUTE_FUNCTIONS), KEEP_ALIVE_ROUTE_KEY].sort());
      for (const [routeKey, functionId] of Object.entries(ROUTE_FUNCTIONS)) {
        expect(routeFunction(json, routes.get(routeKey)!.props)).toBe(functionId);
      }
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'WEBSOCKET',
        RouteSelectionExpression: '$request.body.action',
      });
    });

    it('has the REQUEST authorizer on $connect only in mode authorizer, with the query-string identity source', () => {
      // Assess
      const authorizers = logicalIdsOfType(json, 'AWS::ApiGatewayV2::Authorizer');
      const connect = routesByKey(json).get('$connect')!.props;
      if (stage.authMode === 'authorizer') {
        expect(authorizers).toHaveLength(1);
        const props = json.Resources[authorizers[0]!]!.Properties!;
        expect(props.AuthorizerType).toBe('REQUEST');
        expect(props.IdentitySource).toEqual([AUTHORIZER_IDENTITY_SOURCE]);
        expect(AUTHORIZER_IDENTITY_SOURCE).toBe('route.request.querystring.token');
        expect(render(props.AuthorizerUri)).toMatch(/functions\/<Authorizer\.Arn>\/invocations$/);
        expect(connect.AuthorizationType).toBe('CUSTOM');
        expect(connect.AuthorizerId).toEqual({ Ref: authorizers[0] });
        for (const [routeKey, route] of routesByKey(json)) {
          if (routeKey !== '$connect') expect(route.props.AuthorizerId).toBeUndefined();
        }
      } else {
        expect(authorizers).toHaveLength(0);
        expect(json.Resources.Authorizer).toBeUndefined();
        expect(connect.AuthorizationType).toBe('NONE');
      }
    });

    it('answers the keep-alive with a MOCK integration: a constant pong through an integration response and a route response, no function', () => {
      // Prepare
      const route = routesByKey(json).get(KEEP_ALIVE_ROUTE_KEY)!;
      const integrationId = /^integrations\/<(.+)>$/.exec(render(route.props.Target))?.[1];

      // Assess
      expect(route.props).toMatchObject({ AuthorizationType: 'NONE', RouteResponseSelectionExpression: '$default' });
      expect(route.props.AuthorizerId).toBeUndefined();
      const integration = json.Resources[integrationId!]!;
      expect(integration.Type).toBe('AWS::ApiGatewayV2::Integration');
      expect(integration.Properties).toEqual({
        ApiId: { Ref: expect.any(String) as string },
        IntegrationType: 'MOCK',
        TemplateSelectionExpression: '\\$default',
        RequestTemplates: { $default: '{"statusCode":200}' },
      });
      const responses = logicalIdsOfType(json, 'AWS::ApiGatewayV2::IntegrationResponse').map((id) => json.Resources[id]!.Properties!);
      expect(responses).toEqual([
        {
          ApiId: integration.Properties!.ApiId,
          IntegrationId: { Ref: integrationId },
          IntegrationResponseKey: '$default',
          TemplateSelectionExpression: '\\$default',
          ResponseTemplates: { $default: KEEP_ALIVE_REPLY },
        },
      ]);
      expect(KEEP_ALIVE_REPLY).toBe('{"type":"pong"}');
    });

    it('sends route responses on ping, authorize, resume, $default and the keep-alive only', () => {
      // Prepare
      const routes = routesByKey(json);
      const keyOfRouteId = new Map([...routes].map(([routeKey, route]) => [route.id, routeKey]));

      // Assess
      const responded = logicalIdsOfType(json, 'AWS::ApiGatewayV2::RouteResponse').map((id) => {
        const props = json.Resources[id]!.Properties!;
        expect(props.RouteResponseKey).toBe('$default');
        return keyOfRouteId.get((props.RouteId as { Ref: string }).Ref);
      });
      expect(responded.sort()).toEqual(['$default', 'authorize', KEEP_ALIVE_ROUTE_KEY, 'ping', 'resume']);
      for (const [routeKey, route] of routes) {
        expect(route.props.RouteResponseSelectionExpression).toBe(['$default', 'authorize', KEEP_ALIVE_ROUTE_KEY, 'ping', 'resume'].includes(routeKey) ? '$default' : undefined);
      }
    });

    it("keeps every user's inbox in an on-demand table with TTL and the local index byId", () => {
      // Assess
      const inbox = json.Resources.InboxTable!.Properties!;
      expect(inbox).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        LocalSecondaryIndexes: [
          {
            IndexName: 'byId',
            KeySchema: [
              { AttributeName: 'userId', KeyType: 'HASH' },
              { AttributeName: 'id', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['storedAt'] },
          },
        ],
      });
      expect(inbox.GlobalSecondaryIndexes).toBeUndefined();
    });

    it('keeps connections in an on-demand table with TTL and the sparse byUser index', () => {
      // Assess
      template.resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byUser',
            KeySchema: [
              { AttributeName: 'userId', KeyType: 'HASH' },
              { AttributeName: 'connectionId', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['expiresAt', 'ttl'] },
          },
        ],
      });
      // Sparse: userId is a key of the index only, so records without it (pending) are not indexed.
      const table = json.Resources.ConnectionsTable!.Properties!;
      expect(table.KeySchema).not.toContainEqual(expect.objectContaining({ AttributeName: 'userId' }));
    });

    it('retains the table only in stages that retain data', () => {
      // Assess
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: stage.retainData ? 'Retain' : 'Delete',
        Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: stage.retainData })] }),
      });
    });

    it('gives every queue a DLQ (maxReceiveCount 5), TLS-only access and an alarm on the DLQ', () => {
      // Prepare
      const queues = logicalIdsOfType(json, 'AWS::SQS::Queue');
      const deadLetterIds = new Set<string>();

      // Assess
      expect(queues.filter((id) => !id.endsWith('DeadLetterQueue')).sort()).toEqual(Object.keys(QUEUE_CONSUMERS).sort());
      for (const id of Object.keys(QUEUE_CONSUMERS)) {
        const redrive = json.Resources[id]!.Properties!.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
        expect(redrive.maxReceiveCount).toBe(5);
        const deadLetterId = /^<(\w+)\.Arn>$/.exec(render(redrive.deadLetterTargetArn))![1]!;
        expect(json.Resources[deadLetterId]!.Type).toBe('AWS::SQS::Queue');
        deadLetterIds.add(deadLetterId);
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterId, 'QueueName'] } }],
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
        });
      }
      expect(deadLetterIds.size).toBe(3);
      // Every queue in the stack is one of the three, or one of their DLQs.
      expect(queues.sort()).toEqual([...Object.keys(QUEUE_CONSUMERS), ...deadLetterIds].sort());
      for (const id of queues) {
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: id }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });

    it('maps each queue to its consumer with ReportBatchItemFailures', () => {
      // Assess
      const mappings = logicalIdsOfType(json, 'AWS::Lambda::EventSourceMapping').map((id) => json.Resources[id]!.Properties!);
      expect(mappings).toHaveLength(3);
      const pairs = mappings.map((props) => {
        expect(props.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
        return [render(props.EventSourceArn), render(props.FunctionName)];
      });
      expect(pairs.sort()).toEqual(
        Object.entries(QUEUE_CONSUMERS)
          .map(([queue, fn]) => [`<${queue}.Arn>`, `<${fn}>`])
          .sort(),
      );
    });

    it('gives every function a timeout longer than the longest AWS SDK call, and every queue consumer room for two in a row', () => {
      // Assess: a hung call fails its record (or its route) before the function times out.
      const functions = logicalIdsOfType(json, 'AWS::Lambda::Function');
      expect(functions.length).toBeGreaterThanOrEqual(9);
      for (const fn of functions) {
        const timeoutMs = (functionProps(json, fn).Timeout as number) * 1000;
        expect({ fn, longerThanOneCall: timeoutMs > SDK_CALL_LIMIT_MS }).toEqual({ fn, longerThanOneCall: true });
      }
      for (const fn of ['NotifyUser', 'NotifyConnection']) {
        const timeoutMs = (functionProps(json, fn).Timeout as number) * 1000;
        expect({ fn, roomForTwoCalls: timeoutMs >= 2 * SDK_CALL_LIMIT_MS }).toEqual({ fn, roomForTwoCalls: true });
      }
    });

    it('sets every queue visibility timeout to at least 6 times its consumer timeout', () => {
      // Assess
      for (const [queue, fn] of Object.entries(QUEUE_CONSUMERS)) {
        const visibility = json.Resources[queue]!.Properties!.VisibilityTimeout as number;
        const timeout = functionProps(json, fn).Timeout as number;
        expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
      }
    });

    it('throttles the stage and writes access logs that record no query string', () => {
      // Assess
      const stageProps = json.Resources.WebSocketStage!.Properties!;
      expect(stageProps.StageName).toBe(stage.name);
      expect(stageProps.DefaultRouteSettings).toEqual({
        ThrottlingRateLimit: stage.throttling.rateLimit,
        ThrottlingBurstLimit: stage.throttling.burstLimit,
      });
      // A bucket smaller than one second of the rate would throttle below the rate whenever requests arrive together.
      expect(stage.throttling.burstLimit).toBeGreaterThanOrEqual(stage.throttling.rateLimit);
      const settings = stageProps.AccessLogSettings as { DestinationArn: unknown; Format: string };
      expect(json.Resources[/^<(\w+)\.Arn>$/.exec(render(settings.DestinationArn))![1]!]!.Type).toBe('AWS::Logs::LogGroup');
      const fields = JSON.parse(settings.Format) as Record<string, string>;
      expect(fields).toEqual(ACCESS_LOG_FIELDS);
      expect(Object.values(fields)).toEqual(expect.arrayContaining(['$context.requestId', '$context.routeKey', '$context.connectionId', '$context.status']));
      for (const variable of Object.values(fields)) {
        expect(variable).toMatch(/^\$context\.[A-Za-z.]+$/);
        expect(variable).not.toMatch(/requestOverride|querystring|path|uri|url|header/i);
      }
    });

    it('has one function per route and per queue, and the Authorizer in mode authorizer', () => {
      // Assess
      const expected = [...Object.values(ROUTE_FUNCTIONS), ...Object.values(QUEUE_CONSUMERS)];
      if (stage.authMode === 'authorizer') expected.push('Authorizer');
      expect(logicalIdsOfType(json, 'AWS::Lambda::Function').sort()).toEqual(expected.sort());
    });

    it('builds every function with the project defaults, on the prebuilt bundle of its entry', () => {
      for (const id of logicalIdsOfType(json, 'AWS::Lambda::Function')) {
        // Prepare
        const resource = json.Resources[id]!;
        const props = resource.Properties!;

        // Assess
        expect(props.Runtime).toBe('nodejs24.x');
        expect(props.Architectures).toEqual(['arm64']);
        expect(props.Handler).toBe('index.handler');
        const logGroupId = render((props.LoggingConfig as { LogGroup: unknown }).LogGroup).slice(1, -1);
        expect(json.Resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
        expect(resource.Metadata?.['aws:asset:path']).toBe(functionCodeDirectory(BUNDLES[id]!));
        expect(environmentOf(json, id)).toMatchObject({
          STAGE: stage.name,
          POWERTOOLS_SERVICE_NAME: 'ws-notify',
          POWERTOOLS_METRICS_NAMESPACE: 'WsNotify',
          POWERTOOLS_LOG_LEVEL: stage.logLevel,
        });
      }
    });

    it('gives each function exactly the environment of the architecture table', () => {
      // Prepare
      const common = ['STAGE', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];
      const jwt = ['JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_ALGORITHMS', 'JWT_MAX_LIFETIME_SECONDS', 'JWT_PUBLIC_JWK'];
      const table = 'CONNECTIONS_TABLE_NAME';
      const expected: Record<string, string[]> = {
        Connect: [
          table,
          'AUTH_MODE',
          'ALLOWED_ORIGINS',
          ...(stage.authMode === 'action'
            ? ['AUTHORIZE_DEADLINE_QUEUE_URL', 'AUTHORIZE_DEADLINE_SECONDS']
            : ['CONNECTIONS_USER_INDEX_NAME', 'CALLBACK_URL', 'MAX_CONNECTIONS_PER_USER', 'INBOX_TABLE_NAME']),
        ],
        Disconnect: [table],
        Authorize: [table, 'CONNECTIONS_USER_INDEX_NAME', ...jwt, 'CALLBACK_URL', 'MAX_CONNECTIONS_PER_USER', 'INBOX_TABLE_NAME'],
        Ping: [table],
        Resume: [table, 'INBOX_TABLE_NAME', 'INBOX_RETENTION_SECONDS', 'CALLBACK_URL'],
        Default: [table],
        AuthorizeDeadline: [table, 'CALLBACK_URL', 'DEAD_LETTER_QUEUE_URL'],
        NotifyUser: [
          table,
          'CONNECTIONS_USER_INDEX_NAME',
          'INBOX_TABLE_NAME',
          'INBOX_ID_INDEX_NAME',
          'INBOX_RETENTION_SECONDS',
          'NOTIFY_CONNECTION_QUEUE_URL',
          'DEAD_LETTER_QUEUE_URL',
        ],
        NotifyConnection: [table, 'CALLBACK_URL', 'DEAD_LETTER_QUEUE_URL'],
        ...(stage.authMode === 'authorizer' ? { Authorizer: jwt } : {}),
      };

      // Assess
      for (const [fn, variables] of Object.entries(expected)) {
        expect(Object.keys(environmentOf(json, fn)).sort()).toEqual([...common, ...variables].sort());
      }
      const connect = environmentOf(json, 'Connect');
      expect(connect.AUTH_MODE).toBe(stage.authMode);
      expect(connect[table]).toEqual({ Ref: 'ConnectionsTable' });
      // The shipped stages keep the construct's default deadline (30 s) and, but for local, its 20 connections per user.
      const maxConnectionsPerUser = stageName === 'local' ? '1000' : '20';
      if (stage.authMode === 'action') {
        expect(connect.AUTHORIZE_DEADLINE_QUEUE_URL).toEqual({ Ref: 'AuthorizeDeadlineQueue' });
        expect(connect.AUTHORIZE_DEADLINE_SECONDS).toBe('30');
      } else {
        expect(connect).toMatchObject({ MAX_CONNECTIONS_PER_USER: maxConnectionsPerUser, CONNECTIONS_USER_INDEX_NAME: 'byUser' });
      }
      expect(environmentOf(json, 'Authorize')).toMatchObject({ MAX_CONNECTIONS_PER_USER: maxConnectionsPerUser, CONNECTIONS_USER_INDEX_NAME: 'byUser' });
      expect(environmentOf(json, 'NotifyUser')).toMatchObject({
        CONNECTIONS_USER_INDEX_NAME: 'byUser',
        NOTIFY_CONNECTION_QUEUE_URL: { Ref: 'NotifyConnectionQueue' },
        DEAD_LETTER_QUEUE_URL: { Ref: 'NotifyUserDeadLetterQueue' },
      });
      expect(render(environmentOf(json, 'NotifyConnection').CALLBACK_URL)).toBe(
        `https://<WebSocketApi>.execute-api.<AWS::Region>.<AWS::URLSuffix>/${stage.name}`,
      );
    });

    it("bakes the stage's public key and JWT settings into the verifying functions", () => {
      // Prepare
      const publicJwk = JSON.parse(readFileSync(stageKeyPaths(stage.name).publicJwk, 'utf8')) as unknown;
      expect(stageKeyPaths(stage.name).publicJwk.startsWith(keysDirectory())).toBe(true);

      // Assess
      for (const fn of stage.authMode === 'authorizer' ? ['Authorizer', 'Authorize'] : ['Authorize']) {
        const env = environmentOf(json, fn);
        expect(JSON.parse(env.JWT_PUBLIC_JWK as string)).toEqual(publicJwk);
        expect(env).toMatchObject({ JWT_ISSUER: stage.jwt.issuer, JWT_AUDIENCE: stage.jwt.audience, JWT_ALGORITHMS: 'ES256', JWT_MAX_LIFETIME_SECONDS: '86400' });
      }
    });

    it('outputs the WebSocket URL, callback URL, queue URLs, table name and auth mode', () => {
      // Assess
      const outputs = json.Outputs!;
      expect(render(outputs.WebSocketUrl!.Value)).toBe(`wss://<WebSocketApi>.execute-api.<AWS::Region>.<AWS::URLSuffix>/${stage.name}`);
      expect(render(outputs.CallbackUrl!.Value)).toBe(`https://<WebSocketApi>.execute-api.<AWS::Region>.<AWS::URLSuffix>/${stage.name}`);
      expect(outputs.NotifyUserQueueUrl!.Value).toEqual({ Ref: 'NotifyUserQueue' });
      expect(outputs.NotifyConnectionQueueUrl!.Value).toEqual({ Ref: 'NotifyConnectionQueue' });
      expect(outputs.AuthorizeDeadlineQueueUrl!.Value).toEqual({ Ref: 'AuthorizeDeadlineQueue' });
      expect(outputs.NotifyUserDeadLetterQueueUrl!.Value).toEqual({ Ref: 'NotifyUserDeadLetterQueue' });
      expect(outputs.ConnectionsTableName!.Value).toEqual({ Ref: 'ConnectionsTable' });
      expect(outputs.AuthMode!.Value).toBe(stage.authMode);
    });
  });

  describe('switching a stage between modes', () => {
    it('keeps the table, every queue and the deadline consumer, so the switch deletes no data', () => {
      // Prepare
      const local = getStage('local');
      const stateful = (json: CfnJson) =>
        Object.keys(json.Resources)
          .filter((id) => ['AWS::DynamoDB::GlobalTable', 'AWS::SQS::Queue', 'AWS::Lambda::EventSourceMapping'].includes(json.Resources[id]!.Type))
          .sort();

      // Act
      const authorizerMode = synthesizeStage(local).json;
      const actionMode = synthesizeStage(withOverrides(local, { authMode: 'action' })).json;

      // Assess
      expect(stateful(actionMode)).toEqual(stateful(authorizerMode));
      expect(authorizerMode.Resources.AuthorizeDeadline?.Type).toBe('AWS::Lambda::Function');
      expect(actionMode.Resources.Authorizer).toBeUndefined();
      expect(logicalIdsOfType(actionMode, 'AWS::ApiGatewayV2::Authorizer')).toHaveLength(0);
    });
  });

  describe('a stage whose key pair has not been made', () => {
    it('fails synthesis with the one-line message that names npm run keys', () => {
      // Prepare
      const stage: StageConfig = { ...getStage('dev'), name: 'staging' };

      // Act & Assess
      expect(() => synthesizeStage(stage)).toThrow(MissingStageKeyError);
      expect(() => synthesizeStage(stage)).toThrow(/^no signing key for stage "staging" \(.*\): run npm run keys -- --stage staging$/);
    });
  });

  describe('a stage that verifies with an identity provider JWKS', () => {
    it('passes JWT_JWKS_URL instead of a public key, and needs no key pair', () => {
      // Prepare
      const stage: StageConfig = {
        ...getStage('prod'),
        name: 'external',
        jwt: { issuer: 'https://idp.example.com/', audience: 'ws-notify', algorithms: ['RS256'], keySource: { kind: 'jwks', jwksUrl: 'https://idp.example.com/.well-known/jwks.json' } },
      };

      // Act
      const { json } = synthesizeStage(stage);

      // Assess
      for (const fn of ['Authorizer', 'Authorize']) {
        const env = environmentOf(json, fn);
        expect(env.JWT_JWKS_URL).toBe('https://idp.example.com/.well-known/jwks.json');
        expect(env.JWT_ALGORITHMS).toBe('RS256');
        expect(env.JWT_PUBLIC_JWK).toBeUndefined();
      }
    });
  });

  describe('a stage with concurrency caps and an alarm address', () => {
    it('passes them to the construct', () => {
      // Act
      const { json, template } = synthesizeStage({ ...getStage('dev'), concurrency: { notifyUser: 10, connect: 5 }, alarmEmail: 'oncall@example.com' });

      // Assess
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: 'NotifyUser' }, ScalingConfig: { MaximumConcurrency: 10 } });
      expect(json.Resources.Connect!.Properties!.ReservedConcurrentExecutions).toBe(5);
    });
  });

  describe('Method: addRoute', () => {
    const echo = (stack: Stack) =>
      new LambdaFunction(stack, 'Echo', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async (event) => ({ statusCode: 200, body: event.body });') });

    it('adds a route on a function of its own, with its integration and invoke permission, and a route response when asked', () => {
      // Act
      const { json } = synthesizeStage('dev', {
        configure: (stack) => {
          stack.service.addRoute('echo', { handler: echo(stack), returnResponse: true });
        },
      });

      // Assess
      const route = routesByKey(json).get('echo')!;
      const functionId = routeFunction(json, route.props);
      expect(functionId).toMatch(/^Echo[0-9A-F]{8}$/);
      expect(route.props.RouteResponseSelectionExpression).toBe('$default');
      expect(route.props.AuthorizationType).toBe('NONE');
      const permission = logicalIdsOfType(json, 'AWS::Lambda::Permission')
        .map((id) => json.Resources[id]!.Properties!)
        .find((props) => render(props.FunctionName) === `<${functionId}.Arn>`);
      expect(permission).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
    });

    it('refuses a route key the API already has', () => {
      // Act & Assess
      expect(() =>
        synthesizeStage('dev', {
          configure: (stack) => {
            stack.service.addRoute('ping', { handler: echo(stack) });
          },
        }),
      ).toThrow(/already/);
    });
  });
});
