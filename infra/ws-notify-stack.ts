import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnApi,
  type CfnStage,
  type IWebSocketRouteAuthorizer,
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type Construct } from 'constructs';
import { requireStagePublicJwk } from '../src/tooling/stage-keys';
import { ConnectionsTable } from './constructs/connections-table';
import { type AwsSdkSource, NotifyFunction, type TableAction } from './constructs/notify-function';
import { NotifyQueue } from './constructs/notify-queue';
import { acknowledgeRouteWithoutAuthorizer } from './nag-acknowledgements';
import { OUTPUT_NAMES } from './stack-outputs';
import { maxConnectionsPerUserOf, maxTokenLifetimeSecondsOf, type StageConfig } from './stages';
import { ACCESS_LOG_FORMAT } from './access-log-format';

/** The stack of a stage: `WsNotify-<stage>`. */
export function stackNameOf(stageName: string): string {
  return `WsNotify-${stageName}`;
}

/** The REQUEST authorizer's identity source (browsers cannot set headers on a WebSocket). */
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
  /** The function's logical name: its construct id and CloudFormation logical id (`Ping`, `Echo`, …). */
  readonly functionName: string;
  /** TypeScript entry, repository-relative (`src/functions/ping.ts`) or absolute. */
  readonly entry: string;
  /** Send the function's return value back to the client (a route response). */
  readonly returnResponse?: boolean;
  /** Item actions on the connections table; the table name goes in CONNECTIONS_TABLE_NAME. */
  readonly connectionsTable?: readonly TableAction[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly authorizer?: IWebSocketRouteAuthorizer;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly description?: string;
}

/** JWT_* variables of the verifier (docs/architecture.md). A generated-key stage without its key fails with MissingStageKeyError. */
export function jwtEnvironment(stage: StageConfig): Record<string, string> {
  const { jwt } = stage;
  const common = {
    JWT_ISSUER: jwt.issuer,
    JWT_AUDIENCE: jwt.audience,
    JWT_ALGORITHMS: jwt.algorithms.join(','),
    JWT_MAX_LIFETIME_SECONDS: String(maxTokenLifetimeSecondsOf(stage)),
  };
  return jwt.keySource.kind === 'jwks'
    ? { ...common, JWT_JWKS_URL: jwt.keySource.jwksUrl }
    : { ...common, JWT_PUBLIC_JWK: JSON.stringify(requireStagePublicJwk(stage.name)) };
}

/**
 * ws-notify for one stage (docs/architecture.md, docs/deploy.md): the connections table, the
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
        entry: 'src/functions/authorizer.ts',
        description: 'REQUEST authorizer of $connect: verifies ?token=',
        environment: jwtEnvironment(stage),
      });
      authorizer = new WebSocketLambdaAuthorizer('Authorizer', fn.function, { identitySource: [AUTHORIZER_IDENTITY_SOURCE] });
    }
    const maxConnectionsPerUser = String(maxConnectionsPerUserOf(stage));
    const userIndex = { name: this.connections.userIndexName, env: 'CONNECTIONS_USER_INDEX_NAME' };
    const connect = this.addRoute('$connect', {
      functionName: 'Connect',
      entry: 'src/functions/connect.ts',
      // Mode authorizer: DeleteItem for the record of a connection found gone at the per-user limit.
      connectionsTable: stage.authMode === 'authorizer' ? ['PutItem', 'DeleteItem'] : ['PutItem'],
      environment: { AUTH_MODE: stage.authMode, ALLOWED_ORIGINS: (stage.allowedOrigins ?? []).join(',') },
      authorizer,
    });
    if (stage.authMode === 'action') {
      connect
        .sendTo(this.authorizeDeadlineQueue.queue, 'AUTHORIZE_DEADLINE_QUEUE_URL')
        .addEnvironment('AUTHORIZE_DEADLINE_SECONDS', String(stage.authorizeDeadlineSeconds));
    } else {
      // The per-user connection limit: the user's connections from the index, GET @connections for those that may be gone.
      connect
        .bindTable({ table: connections, env: 'CONNECTIONS_TABLE_NAME', actions: ['Query'], index: userIndex })
        .manageConnections(this.webSocketStage, ['GET'])
        .addEnvironment('MAX_CONNECTIONS_PER_USER', maxConnectionsPerUser);
    }
    this.addRoute('$disconnect', { functionName: 'Disconnect', entry: 'src/functions/disconnect.ts', connectionsTable: ['DeleteItem'] });
    this.addRoute('authorize', {
      functionName: 'Authorize',
      entry: 'src/functions/authorize.ts',
      returnResponse: true,
      // DeleteItem, Query on the user index and GET @connections: the per-user connection limit.
      connectionsTable: ['GetItem', 'UpdateItem', 'DeleteItem'],
      environment: { ...jwtEnvironment(stage), MAX_CONNECTIONS_PER_USER: maxConnectionsPerUser },
    })
      .bindTable({ table: connections, env: 'CONNECTIONS_TABLE_NAME', actions: ['Query'], index: userIndex })
      .manageConnections(this.webSocketStage, ['POST', 'DELETE', 'GET']);
    this.addRoute('ping', { functionName: 'Ping', entry: 'src/functions/ping.ts', returnResponse: true, connectionsTable: ['GetItem'] });
    this.addRoute('$default', { functionName: 'Default', entry: 'src/functions/default.ts', returnResponse: true, connectionsTable: ['GetItem'] });

    // Queue consumers.
    const deadline = this.addFunction('AuthorizeDeadline', {
      entry: 'src/functions/authorize-deadline.ts',
      description: 'Disconnects connections still pending at their authorize deadline',
      timeout: CONSUMER_TIMEOUTS.AuthorizeDeadline,
    });
    deadline
      .bindTable({ table: connections, env: 'CONNECTIONS_TABLE_NAME', actions: ['GetItem', 'DeleteItem'] })
      .manageConnections(this.webSocketStage, ['POST', 'DELETE'])
      .consume(this.authorizeDeadlineQueue, { batchSize: 10 });

    const notifyUser = this.addFunction('NotifyUser', {
      entry: 'src/functions/notify-user.ts',
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
      entry: 'src/functions/notify-connection.ts',
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
   * Adds a route whose Lambda proxy integration is a new function `options.functionName`.
   * Returns the function so the caller can grant it more (`bindTable`, `sendTo`, `manageConnections`).
   */
  addRoute(routeKey: string, options: RouteOptions): NotifyFunction {
    const fn = this.addFunction(options.functionName, {
      entry: options.entry,
      description: options.description ?? `Route ${routeKey}`,
      environment: options.environment,
      timeout: options.timeout,
      memorySize: options.memorySize,
    });
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

  /** A project function with the stack's defaults; its logical name must be unique in the stack. */
  addFunction(
    name: string,
    options: Pick<RouteOptions, 'entry' | 'environment' | 'timeout' | 'memorySize' | 'description'>,
  ): NotifyFunction {
    if (this.functions.has(name)) throw new Error(`function ${name} already exists in ${this.stackName}`);
    const fn = new NotifyFunction(this, `${name}Function`, {
      logicalName: name,
      stage: this.stage,
      entry: options.entry,
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
