import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { functionCodeDirectory } from '../../infra/function-code';
import { InvalidWsNotifyPropsError, WsNotify, type WsNotifyProps } from '../../infra/ws-notify';
import { LOCAL_SYNTH_CONTEXT } from '../../src/local/template/synthesize-stack-template';
import { ensureFunctionBundles } from '../../src/tooling/function-bundles';
import { type CfnJson, logicalIdNamed, logicalIdsOfType, render, serviceView } from './helpers/stack-template';

const PROPS: WsNotifyProps = {
  stageName: 'live',
  authMode: 'action',
  jwt: { issuer: 'https://id.example.com/', audience: 'reports', algorithms: ['RS256'], key: { jwksUrl: 'https://id.example.com/.well-known/jwks.json' } },
};

/** A stack of an app, synthesized with asset metadata on and assets in place (each function's `aws:asset:path` is its bundle). */
function appStack(): Stack {
  return new Stack(new App({ context: LOCAL_SYNTH_CONTEXT, builtinCloudFormationValidation: false }), 'ReportsApp');
}

/** The template with the service's resources under their names (serviceView). */
function synthesize(stack: Stack): { json: CfnJson; template: Template } {
  const json = serviceView(Template.fromStack(stack).toJSON() as CfnJson);
  return { json, template: Template.fromJSON(json) };
}

function environmentOf(json: CfnJson, functionId: string): Record<string, unknown> {
  return (json.Resources[functionId]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
}

/** Every `action on resource` the role's policies allow. */
function grantsOf(json: CfnJson, roleId: string): string[] {
  return logicalIdsOfType(json, 'AWS::IAM::Policy')
    .map((id) => json.Resources[id]!.Properties!)
    .filter((props) => (props.Roles as unknown[]).some((ref) => render(ref) === `<${roleId}>`))
    .flatMap((props) => (props.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement)
    .flatMap((statement) =>
      (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).flatMap((action) =>
        (Array.isArray(statement.Resource) ? (statement.Resource as unknown[]) : [statement.Resource]).map((resource) => `${action} on ${render(resource)}`),
      ),
    );
}

describe('Class: WsNotify', () => {
  beforeAll(() => {
    ensureFunctionBundles();
  });

  describe('in a stack of an existing app, with only the required props', () => {
    let json: CfnJson;
    let template: Template;
    let notify: WsNotify;
    let rawJson: CfnJson;
    /** The logical ids as synthesized. */
    let raw: string[];
    beforeAll(() => {
      const stack = appStack();
      notify = new WsNotify(stack, 'Notifications', PROPS);
      ({ json, template } = synthesize(stack));
      rawJson = Template.fromStack(stack).toJSON() as CfnJson;
      raw = Object.keys(rawJson.Resources);
    });

    it('keeps its data when removed: the table with deletion protection, the queues and the log groups are retained', () => {
      // Assess
      template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] }) });
      for (const id of logicalIdsOfType(json, 'AWS::SQS::Queue')) expect(json.Resources[id]).toMatchObject({ DeletionPolicy: 'Retain' });
      for (const id of logicalIdsOfType(json, 'AWS::Logs::LogGroup')) expect(json.Resources[id]).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
    });

    it('leaves the stage to the account-level throttling, logs at INFO and gives connections 30 s to authorize', () => {
      // Assess
      expect(json.Resources.WebSocketStage!.Properties!.DefaultRouteSettings).toBeUndefined();
      expect(environmentOf(json, 'Ping').POWERTOOLS_LOG_LEVEL).toBe('INFO');
      expect(environmentOf(json, 'Ping').STAGE).toBe('live');
      expect(environmentOf(json, 'Connect')).toMatchObject({ AUTH_MODE: 'action', ALLOWED_ORIGINS: '', AUTHORIZE_DEADLINE_SECONDS: '30' });
    });

    it('verifies tokens with the JWKS endpoint it is given', () => {
      // Assess
      expect(environmentOf(json, 'Authorize')).toMatchObject({
        JWT_ISSUER: 'https://id.example.com/',
        JWT_AUDIENCE: 'reports',
        JWT_ALGORITHMS: 'RS256',
        JWT_JWKS_URL: 'https://id.example.com/.well-known/jwks.json',
      });
      expect(environmentOf(json, 'Authorize').JWT_PUBLIC_JWK).toBeUndefined();
    });

    it('makes an alarm topic that accepts TLS only, and makes it the action of every alarm, on alarm and back to OK', () => {
      // Assess
      const [topic, ...others] = logicalIdsOfType(json, 'AWS::SNS::Topic');
      expect(others).toEqual([]);
      expect(Stack.of(notify).resolve(notify.alarmTopic.topicArn)).toEqual({ Ref: raw.find((id) => id.startsWith('NotificationsAlarmTopic')) });
      const alarms = logicalIdsOfType(json, 'AWS::CloudWatch::Alarm').map((id) => json.Resources[id]!.Properties!);
      // 3 DLQs, errors and throttles of the 9 functions of mode action, 2 queue ages, 2 API alarms.
      expect(alarms).toHaveLength(3 + 2 * 9 + 2 + 2);
      expect(notify.alarms).toHaveLength(alarms.length);
      for (const alarm of alarms) {
        expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
        expect(alarm.OKActions).toEqual([{ Ref: topic }]);
      }
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topic }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    it('runs each function on its bundle with the AWS SDK bundled', () => {
      // Assess
      expect(json.Resources.Ping!.Metadata?.['aws:asset:path']).toBe(functionCodeDirectory('ping', 'bundled'));
      expect(json.Resources.NotifyUser!.Metadata?.['aws:asset:path']).toBe(functionCodeDirectory('notify-user', 'bundled'));
    });

    it('exposes the URLs, the two notification queues and the table', () => {
      // Prepare
      const stack = Stack.of(notify);
      const ref = (value: string) => render(stack.resolve(value));
      const api = raw.find((id) => id.startsWith('NotificationsWebSocketApi') && rawJson.Resources[id]!.Type === 'AWS::ApiGatewayV2::Api');

      // Assess
      expect(ref(notify.webSocketUrl)).toBe(`wss://<${api}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/live`);
      expect(ref(notify.callbackUrl)).toBe(`https://<${api}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/live`);
      expect(stack.resolve(notify.notifyUserQueue.queueUrl)).toEqual({ Ref: logicalIdNamed(rawJson, 'AWS::SQS::Queue', 'NotifyUser') });
      expect(stack.resolve(notify.notifyConnectionQueue.queueUrl)).toEqual({ Ref: logicalIdNamed(rawJson, 'AWS::SQS::Queue', 'NotifyConnection') });
      expect(stack.resolve(notify.table.tableName)).toEqual({ Ref: logicalIdNamed(rawJson, 'AWS::DynamoDB::GlobalTable', 'Connections') });
      expect([...notify.functions.keys()].sort()).toEqual(['Authorize', 'AuthorizeDeadline', 'Connect', 'Default', 'Disconnect', 'NotifyConnection', 'NotifyUser', 'Ping', 'Resume']);
      expect(stack.resolve(notify.inboxTable.tableName)).toEqual({ Ref: logicalIdNamed(rawJson, 'AWS::DynamoDB::GlobalTable', 'Inbox') });
    });

    it('creates no stack output (outputs are the stack owner’s to choose)', () => {
      // Assess
      expect(json.Outputs ?? {}).toEqual({});
    });
  });

  describe('with every optional prop', () => {
    let json: CfnJson;
    let template: Template;
    beforeAll(() => {
      const stack = appStack();
      new WsNotify(stack, 'Notifications', {
        ...PROPS,
        authMode: 'authorizer',
        jwt: { ...PROPS.jwt, algorithms: ['ES256'], key: { publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1' } } },
        authorizeDeadline: Duration.seconds(45),
        allowedOrigins: ['https://app.example.com', 'https://admin.example.com'],
        throttling: { rateLimit: 200, burstLimit: 400 },
        logLevel: 'DEBUG',
        retainData: false,
        logRetention: RetentionDays.ONE_WEEK,
        concurrency: { notifyUser: 5, notifyConnection: 20, authorizer: 4, connect: 3 },
        alarmSubscriptions: [new EmailSubscription('oncall@example.com')],
        dashboardName: 'notifications-live',
        awsSdk: 'runtime',
      });
      ({ json, template } = synthesize(stack));
    });

    it('applies them', () => {
      // Assess
      template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
      expect(json.Resources.WebSocketStage!.Properties!.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
      expect(environmentOf(json, 'Connect')).toMatchObject({ AUTH_MODE: 'authorizer', ALLOWED_ORIGINS: 'https://app.example.com,https://admin.example.com' });
      expect(environmentOf(json, 'Ping').POWERTOOLS_LOG_LEVEL).toBe('DEBUG');
      expect(JSON.parse(environmentOf(json, 'Authorizer').JWT_PUBLIC_JWK as string)).toEqual({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1' });
      for (const id of logicalIdsOfType(json, 'AWS::Logs::LogGroup')) expect(json.Resources[id]!.Properties!.RetentionInDays).toBe(7);
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
      expect(json.Resources.Ping!.Metadata?.['aws:asset:path']).toBe(functionCodeDirectory('ping', 'runtime'));
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'notifications-live' });
    });

    it('caps the notification consumers and reserves concurrency for the handshake', () => {
      // Assess
      const mappings = logicalIdsOfType(json, 'AWS::Lambda::EventSourceMapping').map((id) => json.Resources[id]!.Properties!);
      const cap = (fn: string) => mappings.find((props) => render(props.FunctionName) === `<${fn}>`)?.ScalingConfig;
      expect(cap('NotifyUser')).toEqual({ MaximumConcurrency: 5 });
      expect(cap('NotifyConnection')).toEqual({ MaximumConcurrency: 20 });
      expect(cap('AuthorizeDeadline')).toBeUndefined();
      expect(json.Resources.Authorizer!.Properties!.ReservedConcurrentExecutions).toBe(4);
      expect(json.Resources.Connect!.Properties!.ReservedConcurrentExecutions).toBe(3);
      expect(json.Resources.Ping!.Properties!.ReservedConcurrentExecutions).toBeUndefined();
    });
  });

  it('uses an alarm topic it is given instead of making one', () => {
    // Prepare
    const stack = appStack();
    const alarmTopic = new Topic(stack, 'OperationsTopic');

    // Act
    new WsNotify(stack, 'Notifications', { ...PROPS, alarmTopic });

    // Assess
    const { json } = synthesize(stack);
    const topics = logicalIdsOfType(json, 'AWS::SNS::Topic');
    expect(topics).toEqual([expect.stringMatching(/^OperationsTopic/) as string]);
    for (const id of logicalIdsOfType(json, 'AWS::CloudWatch::Alarm')) expect(json.Resources[id]!.Properties!.AlarmActions).toEqual([{ Ref: topics[0] }]);
  });

  it('can be added twice to one stack, for two stages', () => {
    // Prepare
    const stack = appStack();

    // Act
    new WsNotify(stack, 'Live', PROPS);
    new WsNotify(stack, 'Preview', { ...PROPS, stageName: 'preview' });

    // Assess
    const raw = Template.fromStack(stack).toJSON() as CfnJson;
    expect(logicalIdsOfType(raw, 'AWS::ApiGatewayV2::Stage').map((id) => raw.Resources[id]!.Properties!.StageName).sort()).toEqual(['live', 'preview']);
    expect(logicalIdsOfType(raw, 'AWS::DynamoDB::GlobalTable')).toHaveLength(4);
    // Two dashboards, named by CloudFormation (a fixed default name would collide).
    const dashboards = logicalIdsOfType(raw, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(2);
    for (const id of dashboards) expect(raw.Resources[id]!.Properties!.DashboardName).toBeUndefined();
  });

  describe('Method: grantNotify', () => {
    const roleWithNotify = (grant: (notify: WsNotify, role: Role) => void) => {
      const stack = appStack();
      const notify = new WsNotify(stack, 'Notifications', PROPS);
      const role = new Role(stack, 'Reports', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
      grant(notify, role);
      const { json } = synthesize(stack);
      return grantsOf(json, logicalIdsOfType(json, 'AWS::IAM::Role').find((id) => id.startsWith('Reports'))!);
    };

    it('lets the grantee send to NotifyUser and NotifyConnection, and nothing else', () => {
      // Act
      const grants = roleWithNotify((notify, role) => notify.grantNotify(role));

      // Assess
      expect(grants.sort()).toEqual(['sqs:SendMessage on <NotifyConnectionQueue.Arn>', 'sqs:SendMessage on <NotifyUserQueue.Arn>']);
    });

    it('leaves out the queue the options leave out', () => {
      // Act
      const users = roleWithNotify((notify, role) => notify.grantNotify(role, { connections: false }));
      const connections = roleWithNotify((notify, role) => notify.grantNotify(role, { users: false }));

      // Assess
      expect(users).toEqual(['sqs:SendMessage on <NotifyUserQueue.Arn>']);
      expect(connections).toEqual(['sqs:SendMessage on <NotifyConnectionQueue.Arn>']);
    });

    it('refuses options that leave no queue', () => {
      // Act & Assess
      expect(() => roleWithNotify((notify, role) => notify.grantNotify(role, { users: false, connections: false }))).toThrow(InvalidWsNotifyPropsError);
    });
  });

  describe('validation of the props', () => {
    it.each([
      ['a stage name API Gateway refuses', { stageName: 'live stage' }, 'WsNotify stageName: must be 1–128 letters, digits, - or _, got "live stage"'],
      ['no algorithm', { jwt: { ...PROPS.jwt, algorithms: [] } }, 'WsNotify jwt.algorithms: must list at least one algorithm'],
      ['a JWKS URL that is not https', { jwt: { ...PROPS.jwt, key: { jwksUrl: 'http://id.example.com/jwks.json' } } }, 'WsNotify jwt.key.jwksUrl: must be an https:// URL'],
      ['an authorize deadline SQS cannot delay', { authorizeDeadline: Duration.minutes(16) }, 'WsNotify authorizeDeadline: must be a whole number of seconds from 1 to 900 (SQS DelaySeconds)'],
      ['a consumer cap Lambda refuses', { concurrency: { notifyUser: 1 } }, 'WsNotify concurrency.notifyUser: must be a whole number from 2 to 1000'],
      ['no concurrency reserved for $connect (every handshake throttled)', { concurrency: { connect: 0 } }, 'WsNotify concurrency.connect: must be a whole number of 1 or more'],
      ['a fraction of reserved concurrency', { concurrency: { authorizer: 2.5 } }, 'WsNotify concurrency.authorizer: must be a whole number of 1 or more'],
    ])('refuses %s, naming the prop', (_case, overrides, message) => {
      // Act & Assess
      const create = () => new WsNotify(appStack(), 'Notifications', { ...PROPS, ...overrides });
      expect(create).toThrow(InvalidWsNotifyPropsError);
      expect(create).toThrow(message);
    });
  });
});
