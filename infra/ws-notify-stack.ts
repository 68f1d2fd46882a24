import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnApi,
  type CfnStage,
  type IWebSocketRouteAuthorizer,
  LogGroupLogDestination,
  WebSocketApi,
  type WebSocketRoute,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type Construct } from 'constructs';
import { requireStagePublicJwk } from '../src/tooling/stage-keys';
import { ConnectionsTable } from './constructs/connections-table';
import { NotifyFunction, type TableAction } from './constructs/notify-function';
import { type AwsSdkSource } from './function-code';
import { NotifyQueue } from './constructs/notify-queue';
import { acknowledgeRouteWithoutAuthorizer } from './nag-acknowledgements';
import { OUTPUT_NAMES } from './stack-outputs';
import { type StageConfig } from './stages';
import { ACCESS_LOG_FORMAT } from './access-log-format';

/** The stack of a stage: `WsNotify-<stage>`. */
export function stackNameOf(stageName: string): string {
  return `WsNotify-${stageName}`;
}

/** The REQUEST authorizer's identity source (SPEC §2: browsers cannot set headers on a WebSocket). */
export const AUTHORIZER_IDENTITY_SOURCE = 'route.request.querystring.token';
export const ROUTE_SELECTION_EXPRESSION = '$request.body.action';

/** Timeouts of the route functions and of each queue consumer; queue visibility timeouts are 6× these. */
const ROUTE_TIMEOUT = Duration.seconds(10);
const CONSUMER_TIMEOUTS = {
  NotifyUser: Duration.seconds(30),
  NotifyConnection: Duration.seconds(30),
  AuthorizeDeadline: Duration.seconds(10),
} as const;

export interface WsNotifyStackProps extends StackProps {
  readonly stage: StageConfig;
  /** Bundle the AWS SDK v3 clients into each function, or use the Lambda runtime's copy. */
  readonly awsSdk?: AwsSdkSource;
}

export interface RouteOptions {
  /** The function behind the route's Lambda proxy integration. */
  readonly handler: IFunction;
  /** Send the function's return value back to the client (a route response). */
  readonly returnResponse?: boolean;
}

interface ServiceFunctionOptions {
  /** The bundle: the entry's name in src/functions (`ping`). */
  readonly code: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly description?: string;
}

interface ServiceRouteOptions extends ServiceFunctionOptions {
  readonly functionName: string;
  readonly returnResponse?: boolean;
  /** Item actions on the connections table; the table name goes in CONNECTIONS_TABLE_NAME. */
  readonly connectionsTable?: readonly TableAction[];
  readonly authorizer?: IWebSocketRouteAuthorizer;
}

/** JWT_* variables of the verifier (docs/architecture.md). A generated-key stage without its key fails with MissingStageKeyError. */
export function jwtEnvironment(stage: StageConfig): Record<string, string> {
  const { jwt } = stage;
  const common = { JWT_ISSUER: jwt.issuer, JWT_AUDIENCE: jwt.audience, JWT_ALGORITHMS: jwt.algorithms.join(',') };
  return jwt.keySource.kind === 'jwks'
    ? { ...common, JWT_JWKS_URL: jwt.keySource.jwksUrl }
    : { ...common, JWT_PUBLIC_JWK: JSON.stringify(requireStagePublicJwk(stage.name)) };
}

/**
 * ws-notify for one stage (SPEC §2, §6; docs/architecture.md): the connections table, the
 * NotifyUser, NotifyConnection and AuthorizeDeadline queues with their DLQs and alarms, the
 * WebSocket API with the routes of the stage's auth mode, and one function per route and per
 * queue, each with exactly the rights it uses.
 *
 * `addRoute` adds a route (and its function) to the API; nothing else needs to change for the
 * local runtime to serve it, as the runtime reads everything from the synthesized template.
 */
export class WsNotifyStack extends Stack {
  readonly stage: StageConfig;
  readonly api: WebSocketApi;
  readonly webSocketStage: WebSocketStage;
  readonly connections: ConnectionsTable;
  readonly notifyUserQueue: NotifyQueue;
  readonly notifyConnectionQueue: NotifyQueue;
  readonly authorizeDeadlineQueue: NotifyQueue;
  /** Every function by logical name. */
  readonly functions = new Map<string, NotifyFunction>();
  private readonly awsSdk: AwsSdkSource | undefined;

  constructor(scope: Construct, id: string, props: WsNotifyStackProps) {
    super(scope, id, { description: `ws-notify, stage ${props.stage.name} (auth mode ${props.stage.authMode})`, ...props });
    const { stage } = props;
    this.stage = stage;
    this.awsSdk = props.awsSdk;
    const removalPolicy = stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Data: the connections table and the queues.
    this.connections = new ConnectionsTable(this, 'Connections', { removalPolicy, deletionProtection: stage.retainData });
    const visibility = (timeout: Duration) => Duration.seconds(6 * timeout.toSeconds());
    this.notifyUserQueue = new NotifyQueue(this, 'NotifyUserQueues', { queueName: 'NotifyUser', visibilityTimeout: visibility(CONSUMER_TIMEOUTS.NotifyUser), removalPolicy });
    this.notifyConnectionQueue = new NotifyQueue(this, 'NotifyConnectionQueues', { queueName: 'NotifyConnection',
      visibilityTimeout: visibility(CONSUMER_TIMEOUTS.NotifyConnection),
      removalPolicy,
    });
    // The deadline queue exists in both modes: switching a stage's mode must not delete a queue
    // that may still hold the deadlines of connections made in mode `action`.
    this.authorizeDeadlineQueue = new NotifyQueue(this, 'AuthorizeDeadlineQueues', { queueName: 'AuthorizeDeadline',
      visibilityTimeout: visibility(CONSUMER_TIMEOUTS.AuthorizeDeadline),
      removalPolicy,
    });

    // The WebSocket API and its stage.
    this.api = new WebSocketApi(this, 'WebSocketApi', {
      apiName: `ws-notify-${stage.name}`,
      description: `ws-notify ${stage.name}`,
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
    });
    (this.api.node.defaultChild as CfnApi).overrideLogicalId('WebSocketApi');
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy });
    this.webSocketStage = new WebSocketStage(this, 'WebSocketStage', {
      webSocketApi: this.api,
      stageName: stage.name,
      autoDeploy: true,
      throttle: { rateLimit: stage.throttling.rateLimit, burstLimit: stage.throttling.burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(ACCESS_LOG_FORMAT) },
    });
    (this.webSocketStage.node.defaultChild as CfnStage).overrideLogicalId('WebSocketStage');

    // Routes.
    const connections = this.connections.table;
    let authorizer: IWebSocketRouteAuthorizer | undefined;
    if (stage.authMode === 'authorizer') {
      const fn = this.addFunction('Authorizer', {
        code: 'authorizer',
        description: 'REQUEST authorizer of $connect: verifies ?token=',
        environment: jwtEnvironment(stage),
      });
      authorizer = new WebSocketLambdaAuthorizer('Authorizer', fn.function, { identitySource: [AUTHORIZER_IDENTITY_SOURCE] });
    }
    const connect = this.addServiceRoute('$connect', {
      functionName: 'Connect',
      code: 'connect',
      connectionsTable: ['PutItem'],
      environment: { AUTH_MODE: stage.authMode, ALLOWED_ORIGINS: (stage.allowedOrigins ?? []).join(',') },
      authorizer,
    });
    if (stage.authMode === 'action') {
      connect
        .sendTo(this.authorizeDeadlineQueue.queue, 'AUTHORIZE_DEADLINE_QUEUE_URL')
        .addEnvironment('AUTHORIZE_DEADLINE_SECONDS', String(stage.authorizeDeadlineSeconds));
    }
    this.addServiceRoute('$disconnect', { functionName: 'Disconnect', code: 'disconnect', connectionsTable: ['DeleteItem'] });
    this.addServiceRoute('authorize', {
      functionName: 'Authorize',
      code: 'authorize',
      returnResponse: true,
      connectionsTable: ['GetItem', 'UpdateItem'],
      environment: jwtEnvironment(stage),
    }).manageConnections(this.webSocketStage, ['POST', 'DELETE']);
    this.addServiceRoute('ping', { functionName: 'Ping', code: 'ping', returnResponse: true, connectionsTable: ['GetItem'] });
    this.addServiceRoute('$default', { functionName: 'Default', code: 'default', returnResponse: true, connectionsTable: ['GetItem'] });

    // Queue consumers.
    const deadline = this.addFunction('AuthorizeDeadline', {
      code: 'authorize-deadline',
      description: 'Disconnects connections still pending at their authorize deadline',
      timeout: CONSUMER_TIMEOUTS.AuthorizeDeadline,
    });
    deadline
      .bindTable({ table: connections, env: 'CONNECTIONS_TABLE_NAME', actions: ['GetItem', 'DeleteItem'] })
      .manageConnections(this.webSocketStage, ['POST', 'DELETE'])
      .consume(this.authorizeDeadlineQueue, { batchSize: 10 });

    const notifyUser = this.addFunction('NotifyUser', {
      code: 'notify-user',
      description: "Fans a notification out to the user's authorized connections",
      timeout: CONSUMER_TIMEOUTS.NotifyUser,
      memorySize: 512,
    });
    notifyUser
      .bindTable({
        table: connections,
        env: 'CONNECTIONS_TABLE_NAME',
        actions: ['Query'],
        index: { name: this.connections.userIndexName, env: 'CONNECTIONS_USER_INDEX_NAME' },
      })
      .sendTo(this.notifyConnectionQueue.queue, 'NOTIFY_CONNECTION_QUEUE_URL')
      .consume(this.notifyUserQueue, { batchSize: 10 });

    const notifyConnection = this.addFunction('NotifyConnection', {
      code: 'notify-connection',
      description: 'Delivers a notification to one connection through @connections',
      timeout: CONSUMER_TIMEOUTS.NotifyConnection,
    });
    notifyConnection
      // BatchGetItem: a batch's connection records in one read (src/handlers/notify-connection.ts).
      .bindTable({ table: connections, env: 'CONNECTIONS_TABLE_NAME', actions: ['GetItem', 'BatchGetItem', 'DeleteItem'] })
      .manageConnections(this.webSocketStage, ['POST'])
      .consume(this.notifyConnectionQueue, { batchSize: 10 });

    new CfnOutput(this, OUTPUT_NAMES.websocketUrl, { value: this.webSocketStage.url, description: 'Clients connect here (wss://…/<stage>)' });
    new CfnOutput(this, OUTPUT_NAMES.callbackUrl, { value: this.webSocketStage.callbackUrl, description: 'Management API (@connections) endpoint' });
    new CfnOutput(this, OUTPUT_NAMES.tableName, { value: connections.tableName, description: 'Connections table' });
    new CfnOutput(this, OUTPUT_NAMES.authMode, { value: stage.authMode, description: 'How connections authenticate (authorizer or action)' });

  }

  /**
   * Adds a route whose Lambda proxy integration is `options.handler`. The function gets no right on
   * the service's resources: grant it what it uses.
   */
  addRoute(routeKey: string, options: RouteOptions): WebSocketRoute {
    const route = this.api.addRoute(routeKey, {
      integration: new WebSocketLambdaIntegration(`${routeKey.replace(/[^A-Za-z0-9]/g, '')}Integration`, options.handler),
      returnResponse: options.returnResponse ?? false,
    });
    acknowledgeRouteWithoutAuthorizer(route, routeKey);
    return route;
  }

  /** A route of the service and its function. */
  private addServiceRoute(routeKey: string, options: ServiceRouteOptions): NotifyFunction {
    const fn = this.addFunction(options.functionName, { ...options, description: options.description ?? `Route ${routeKey}` });
    if (options.connectionsTable !== undefined) {
      fn.bindTable({ table: this.connections.table, env: 'CONNECTIONS_TABLE_NAME', actions: options.connectionsTable });
    }
    const route = this.api.addRoute(routeKey, {
      integration: new WebSocketLambdaIntegration(`${options.functionName}Integration`, fn.function),
      returnResponse: options.returnResponse ?? false,
      authorizer: options.authorizer,
    });
    if (options.authorizer === undefined) acknowledgeRouteWithoutAuthorizer(route, routeKey);
    return fn;
  }

  /** A function of the service with the stack's defaults; its logical name must be unique in the stack. */
  private addFunction(name: string, options: ServiceFunctionOptions): NotifyFunction {
    if (this.functions.has(name)) throw new Error(`function ${name} already exists in ${this.stackName}`);
    const fn = new NotifyFunction(this, `${name}Function`, {
      logicalName: name,
      stage: this.stage,
      code: options.code,
      description: options.description,
      environment: options.environment,
      timeout: options.timeout ?? ROUTE_TIMEOUT,
      memorySize: options.memorySize,
      awsSdk: this.awsSdk,
    });
    this.functions.set(name, fn);
    return fn;
  }
}
