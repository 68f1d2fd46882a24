/**
 * `ws-notify/cdk`: the whole service as one construct, for a stack of your own.
 *
 * @example
 * import { WsNotify } from 'ws-notify/cdk';
 *
 * const notify = new WsNotify(this, 'Notifications', {
 *   stageName: 'prod',
 *   authMode: 'authorizer',
 *   jwt: {
 *     issuer: 'https://id.example.com/',
 *     audience: 'reports',
 *     algorithms: ['RS256'],
 *     key: { jwksUrl: 'https://id.example.com/.well-known/jwks.json' },
 *   },
 * });
 * notify.grantNotify(reportsFunction);
 * reportsFunction.addEnvironment('NOTIFY_USER_QUEUE_URL', notify.notifyUserQueue.queueUrl);
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type IWebSocketRouteAuthorizer,
  LogGroupLogDestination,
  WebSocketApi,
  type WebSocketRoute,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type Dashboard, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { type Function as LambdaFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ITopic, type ITopicSubscription, Topic } from 'aws-cdk-lib/aws-sns';
import { type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ACCESS_LOG_FIELDS } from './access-log-format';
import { ConnectionsTable, InboxTable } from './constructs/service-tables';
import { NotifyFunction, type NotifyFunctionProps, type TableAction } from './constructs/notify-function';
import { NotifyQueue, VISIBILITY_TIMEOUT_FACTOR } from './constructs/notify-queue';
import { type ObservedService, ServiceAlarms } from './constructs/service-alarms';
import { ServiceDashboard } from './constructs/service-dashboard';
import { type AwsSdkSource } from './function-code';
import {
  DEFAULT_AUTHORIZE_DEADLINE_SECONDS,
  DEFAULT_INBOX_RETENTION_SECONDS,
  DEFAULT_MAX_CONNECTIONS_PER_USER,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  KEEP_ALIVE_REPLY,
  KEEP_ALIVE_ROUTE_KEY,
  MAX_CONNECTIONS_PER_USER_BOUNDS,
  MAX_INBOX_RETENTION_SECONDS,
  MAX_TOKEN_LIFETIME_BOUNDS,
} from '../src/commons/constants';
import { acknowledgeAlarmTopicEncryption, acknowledgeKeepAliveRoute, acknowledgeRouteWithoutAuthorizer } from './nag-acknowledgements';
import { KeepAliveRoute } from './constructs/keep-alive-route';

export { type AwsSdkSource } from './function-code';
export { NotifyQueue } from './constructs/notify-queue';

/** How a connection proves who it belongs to: a `?token=` checked by a REQUEST authorizer on `$connect`, or an `authorize` message after an anonymous `$connect`. */
export type AuthMode = 'authorizer' | 'action';

/** Asymmetric JWS algorithms the service may accept. HMAC and `none` never are. */
export type JwtAlgorithm = 'ES256' | 'ES384' | 'RS256' | 'PS256' | 'EdDSA';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** The key tokens are verified with: an identity provider's JWKS endpoint, or one public JWK. */
export type JwtKey = { readonly jwksUrl: string } | { readonly publicJwk: Readonly<Record<string, unknown>> };

export interface WsNotifyJwt {
  /** Required `iss` claim. */
  readonly issuer: string;
  /** Required `aud` claim. */
  readonly audience: string;
  /** Algorithm allow-list. */
  readonly algorithms: readonly JwtAlgorithm[];
  readonly key: JwtKey;
}

export interface WsNotifyThrottling {
  /** Steady-state requests per second of the WebSocket stage (the token bucket's refill rate). */
  readonly rateLimit: number;
  /**
   * Burst bucket size: requests that may arrive at the same instant. At least `rateLimit`, or the
   * stage throttles below its rate whenever requests arrive together (docs/security.md).
   */
  readonly burstLimit: number;
}

/**
 * Keeps a notification burst from starving handshakes (docs/operations.md, "Concurrency"). Unset:
 * Lambda's defaults (no limit but the account's). Reserved concurrency is taken from the account's
 * unreserved pool, which Lambda keeps at 100 or more: a new account may have too little to reserve.
 */
export interface WsNotifyConcurrency {
  /** MaximumConcurrency of the NotifyUser queue's event source mapping (2–1000). */
  readonly notifyUser?: number;
  /** MaximumConcurrency of the NotifyConnection queue's event source mapping (2–1000): bounds the PostToConnection rate. */
  readonly notifyConnection?: number;
  /** Reserved concurrency of the REQUEST authorizer (mode `authorizer`; ignored in mode `action`). At least 1. */
  readonly authorizer?: number;
  /** Reserved concurrency of the `$connect` function. At least 1. */
  readonly connect?: number;
}

/** A stage's settings. */
export interface WsNotifyProps {
  /** The WebSocket stage: the last segment of the URL (`wss://…/<stageName>`), in STAGE and the descriptions. */
  readonly stageName: string;
  readonly authMode: AuthMode;
  readonly jwt: WsNotifyJwt;
  /** Mode `action`: how long a connection may stay unauthorized before it is closed (1–900 s: SQS DelaySeconds). @default 30 seconds */
  readonly authorizeDeadline?: Duration;
  /** A handshake whose `Origin` header is present and not listed is refused with 403. @default every origin */
  readonly allowedOrigins?: readonly string[];
  /** Longest lifetime (`exp` − `iat`) of a token the service accepts (1 s to one year). @default 24 hours */
  readonly maxTokenLifetime?: Duration;
  /**
   * The most connections one user may hold (1–10,000); beyond it mode `authorizer` refuses the handshake
   * with 429 and mode `action` answers `authorize` with `too_many_connections` (the connection stays
   * pending). @default 20
   */
  readonly maxConnectionsPerUser?: number;
  /** How long the user's inbox keeps a notification for `resume` (1 s to one year). @default 24 hours */
  readonly inboxRetention?: Duration;
  /** Stage throttling. @default API Gateway's account-level limits */
  readonly throttling?: WsNotifyThrottling;
  /** POWERTOOLS_LOG_LEVEL of the functions. @default 'INFO' */
  readonly logLevel?: LogLevel;
  /** Keep the connections table (with deletion protection), the queues and the log groups when the construct is removed. @default true */
  readonly retainData?: boolean;
  /** Retention of the functions' and the stage's log groups. @default one month */
  readonly logRetention?: RetentionDays;
  readonly concurrency?: WsNotifyConcurrency;
  /** The alarms' action. @default a new topic */
  readonly alarmTopic?: ITopic;
  /** Subscribed to the alarm topic (an e-mail address, a chat webhook, …). @default none */
  readonly alarmSubscriptions?: readonly ITopicSubscription[];
  /**
   * The CloudWatch dashboard's name. Dashboard names are unique in an account, across regions.
   * @default a name CloudFormation makes unique (the construct can be added more than once)
   */
  readonly dashboardName?: string;
  /** Whether the functions carry the AWS SDK they were tested with, or use the Lambda runtime's. @default 'bundled' */
  readonly awsSdk?: AwsSdkSource;
}

export interface GrantNotifyOptions {
  /** Send to NotifyUser (every connection of a user). @default true */
  readonly users?: boolean;
  /** Send to NotifyConnection (one connection). @default true */
  readonly connections?: boolean;
}

export interface AddRouteOptions {
  /** The function behind the route's Lambda proxy integration. */
  readonly handler: IFunction;
  /** Send the function's return value back to the client (a route response). @default false */
  readonly returnResponse?: boolean;
}

/** Props that cannot make a working service. The message names the prop. */
export class InvalidWsNotifyPropsError extends Error {
  override readonly name = 'InvalidWsNotifyPropsError';
  readonly code = 'invalid_props';
  constructor(readonly prop: string, message: string) {
    super(`WsNotify ${prop}: ${message}`);
  }
}

/** The REQUEST authorizer's identity source: browsers cannot set headers on a WebSocket, so the token is a query parameter. */
export const AUTHORIZER_IDENTITY_SOURCE = 'route.request.querystring.token';
export const ROUTE_SELECTION_EXPRESSION = '$request.body.action';

/**
 * Timeouts of each queue consumer; queue visibility timeouts are 6× these. Route functions keep
 * NotifyFunction's 10 s. Every SDK call gives up within SDK_CALL_LIMIT_MS (9 s: src/commons/sdk-timeouts.ts).
 * A route ends at its first failed call, so 10 s covers one. A consumer's record can meet two
 * failed calls in a row (the batch's BatchGetItem, then its own GetItem), so 20 s covers two.
 */
const CONSUMER_TIMEOUTS = {
  NotifyUser: Duration.seconds(20),
  NotifyConnection: Duration.seconds(20),
  AuthorizeDeadline: Duration.seconds(10),
} as const;

function validate(props: WsNotifyProps): void {
  const check = (ok: boolean, prop: string, message: string) => {
    if (!ok) throw new InvalidWsNotifyPropsError(prop, message);
  };
  check(/^[A-Za-z0-9_-]{1,128}$/.test(props.stageName), 'stageName', `must be 1–128 letters, digits, - or _, got ${JSON.stringify(props.stageName)}`);
  check(props.jwt.algorithms.length > 0, 'jwt.algorithms', 'must list at least one algorithm');
  if ('jwksUrl' in props.jwt.key) check(props.jwt.key.jwksUrl.startsWith('https://'), 'jwt.key.jwksUrl', 'must be an https:// URL');
  const { notifyUser, notifyConnection, authorizer, connect } = props.concurrency ?? {};
  // Each whole-number prop (durations in seconds), its bounds and how the message says them.
  const wholeNumbers: readonly (readonly [prop: string, value: number | undefined, min: number, max: number, message: string])[] = [
    ['authorizeDeadline', props.authorizeDeadline?.toSeconds(), 1, 900, 'must be a whole number of seconds from 1 to 900 (SQS DelaySeconds)'],
    ['maxTokenLifetime', props.maxTokenLifetime?.toSeconds(), MAX_TOKEN_LIFETIME_BOUNDS.min, MAX_TOKEN_LIFETIME_BOUNDS.max, 'must be a whole number of seconds from 1 to one year'],
    ['maxConnectionsPerUser', props.maxConnectionsPerUser, MAX_CONNECTIONS_PER_USER_BOUNDS.min, MAX_CONNECTIONS_PER_USER_BOUNDS.max, 'must be a whole number from 1 to 10,000'],
    ['inboxRetention', props.inboxRetention?.toSeconds(), 1, MAX_INBOX_RETENTION_SECONDS, 'must be a whole number of seconds from 1 to one year'],
    ['concurrency.notifyUser', notifyUser, 2, 1000, 'must be a whole number from 2 to 1000'],
    ['concurrency.notifyConnection', notifyConnection, 2, 1000, 'must be a whole number from 2 to 1000'],
    // Reserved concurrency 0 would throttle every handshake.
    ['concurrency.authorizer', authorizer, 1, Infinity, 'must be a whole number of 1 or more'],
    ['concurrency.connect', connect, 1, Infinity, 'must be a whole number of 1 or more'],
  ];
  for (const [prop, value, min, max, message] of wholeNumbers) {
    check(value === undefined || (Number.isInteger(value) && value >= min && value <= max), prop, message);
  }
}

/** JWT_* variables of the verifying functions (docs/architecture.md). */
function jwtEnvironment(jwt: WsNotifyJwt, maxTokenLifetime: Duration | undefined): Record<string, string> {
  const common = {
    JWT_ISSUER: jwt.issuer,
    JWT_AUDIENCE: jwt.audience,
    JWT_ALGORITHMS: jwt.algorithms.join(','),
    JWT_MAX_LIFETIME_SECONDS: String(maxTokenLifetime?.toSeconds() ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS),
  };
  return 'jwksUrl' in jwt.key ? { ...common, JWT_JWKS_URL: jwt.key.jwksUrl } : { ...common, JWT_PUBLIC_JWK: JSON.stringify(jwt.key.publicJwk) };
}

/**
 * ws-notify for one stage: the connections table and every user's inbox; the NotifyUser, NotifyConnection and
 * AuthorizeDeadline queues, each with a DLQ; the WebSocket API with the routes of the auth mode and
 * its stage; one function per route and per queue, each with exactly the rights it uses; alarms on
 * the DLQs, the functions' errors and throttles, the age of the oldest notification and the API's
 * errors, all with the alarm topic as their action; one CloudWatch dashboard. The functions
 * publish the service's metrics (namespace WsNotify). Resources keep the CDK's logical ids; the service's
 * functions, queues and table carry their names in the service as `ws-notify:name` metadata, by
 * which the local runtime finds them in any stack.
 *
 * Applications send notifications to {@link notifyUserQueue} and {@link notifyConnectionQueue}
 * (the `ws-notify/publisher` library does it) once {@link grantNotify} lets them.
 */
export class WsNotify extends Construct {
  /** Clients connect here: `wss://<api>.execute-api.<region>.amazonaws.com/<stage>`. */
  readonly webSocketUrl: string;
  /** The Management API (`@connections`) of the stage. */
  readonly callbackUrl: string;
  /** Notifications for every connection of a user: `{ "userId", "data", "id"? }`. */
  readonly notifyUserQueue: IQueue;
  /** Notifications for one connection: `{ "connectionId", "data", "id"? }`. */
  readonly notifyConnectionQueue: IQueue;
  /** The connections table (one record per connection; sparse index `byUser`). */
  readonly table: ITableV2;
  /** Every user's inbox: stored notifications for `resume` (docs/architecture.md, "Inbox"). */
  readonly inboxTable: ITableV2;
  /** The action of every alarm of the service (on alarm and back to OK). */
  readonly alarmTopic: ITopic;
  /** Every alarm of the service (ServiceAlarms; docs/operations.md, "Alarms"). */
  readonly alarms: readonly IAlarm[];
  /** The stage's CloudWatch dashboard (docs/operations.md, "Dashboard"). */
  readonly dashboard: Dashboard;
  readonly api: WebSocketApi;
  readonly webSocketStage: WebSocketStage;
  /** Every work queue with its DLQ: NotifyUser, NotifyConnection, AuthorizeDeadline. */
  readonly queues: readonly NotifyQueue[];
  private readonly serviceFunctions = new Map<string, LambdaFunction>();
  /** The service's functions by name (`Connect`, `Ping`, `NotifyUser`, …). */
  readonly functions: ReadonlyMap<string, LambdaFunction> = this.serviceFunctions;

  private readonly props: WsNotifyProps;
  private readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: WsNotifyProps) {
    super(scope, id);
    validate(props);
    this.props = props;
    const retainData = props.retainData ?? true;
    this.removalPolicy = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Data: the connections table, the inbox and the queues.
    const connections = new ConnectionsTable(this, 'Connections', { removalPolicy: this.removalPolicy, deletionProtection: retainData });
    const inbox = new InboxTable(this, 'Inbox', { removalPolicy: this.removalPolicy, deletionProtection: retainData });
    this.table = connections.table;
    this.inboxTable = inbox.table;
    const queue = (name: keyof typeof CONSUMER_TIMEOUTS) =>
      new NotifyQueue(this, name, { queueName: name, visibilityTimeout: Duration.seconds(VISIBILITY_TIMEOUT_FACTOR * CONSUMER_TIMEOUTS[name].toSeconds()), removalPolicy: this.removalPolicy });
    const notifyUser = queue('NotifyUser');
    const notifyConnection = queue('NotifyConnection');
    // The deadline queue exists in both modes: switching a stage's mode must not delete a queue
    // that may still hold the deadlines of connections made in mode `action`.
    const authorizeDeadline = queue('AuthorizeDeadline');
    this.queues = [notifyUser, notifyConnection, authorizeDeadline];
    this.notifyUserQueue = notifyUser.queue;
    this.notifyConnectionQueue = notifyConnection.queue;

    // Alarms.
    this.alarmTopic = props.alarmTopic ?? new Topic(this, 'AlarmTopic', { displayName: `ws-notify ${props.stageName} alarms`, enforceSSL: true });
    if (props.alarmTopic === undefined) acknowledgeAlarmTopicEncryption(this.alarmTopic);
    for (const subscription of props.alarmSubscriptions ?? []) this.alarmTopic.addSubscription(subscription);

    // The WebSocket API and its stage.
    this.api = new WebSocketApi(this, 'WebSocketApi', {
      apiName: `ws-notify-${props.stageName}`,
      description: `ws-notify ${props.stageName}`,
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH, removalPolicy: this.removalPolicy });
    this.webSocketStage = new WebSocketStage(this, 'WebSocketStage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: props.throttling,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)) },
    });
    this.webSocketUrl = this.webSocketStage.url;
    this.callbackUrl = this.webSocketStage.callbackUrl;

    // Routes.
    const userIndex = { name: connections.userIndexName, env: 'CONNECTIONS_USER_INDEX_NAME' };
    const inboxRetentionSeconds = String(props.inboxRetention?.toSeconds() ?? DEFAULT_INBOX_RETENTION_SECONDS);
    const maxConnectionsPerUser = String(props.maxConnectionsPerUser ?? DEFAULT_MAX_CONNECTIONS_PER_USER);
    let authorizer: IWebSocketRouteAuthorizer | undefined;
    if (props.authMode === 'authorizer') {
      const fn = this.addFunction('Authorizer', {
        code: 'authorizer',
        description: 'REQUEST authorizer of $connect: verifies ?token=',
        environment: jwtEnvironment(props.jwt, props.maxTokenLifetime),
        reservedConcurrentExecutions: props.concurrency?.authorizer,
      });
      authorizer = new WebSocketLambdaAuthorizer('Authorizer', fn.function, { identitySource: [AUTHORIZER_IDENTITY_SOURCE] });
    }
    const connect = this.addServiceRoute('$connect', 'Connect', {
      code: 'connect',
      // Mode authorizer: DeleteItem for a record found gone at the per-user limit, or whose pointer could not be written.
      connectionsTable: props.authMode === 'authorizer' ? ['PutItem', 'DeleteItem'] : ['PutItem'],
      environment: { AUTH_MODE: props.authMode, ALLOWED_ORIGINS: (props.allowedOrigins ?? []).join(',') },
      reservedConcurrentExecutions: props.concurrency?.connect,
      authorizer,
    });
    if (props.authMode === 'action') {
      connect
        .sendTo(authorizeDeadline.queue, 'AUTHORIZE_DEADLINE_QUEUE_URL')
        .addEnvironment('AUTHORIZE_DEADLINE_SECONDS', String(props.authorizeDeadline?.toSeconds() ?? DEFAULT_AUTHORIZE_DEADLINE_SECONDS));
    } else {
      // The per-user connection limit (the user index, GET @connections for records that may be
      // stale) and the recent-connection pointer in the user's inbox.
      connect
        .bindTable({ table: this.table, env: 'CONNECTIONS_TABLE_NAME', actions: ['Query'], index: userIndex })
        .bindTable({ table: this.inboxTable, env: 'INBOX_TABLE_NAME', actions: ['PutItem'] })
        .manageConnections(this.webSocketStage, ['GET'])
        .addEnvironment('MAX_CONNECTIONS_PER_USER', maxConnectionsPerUser);
    }
    this.addServiceRoute('$disconnect', 'Disconnect', { code: 'disconnect', connectionsTable: ['DeleteItem'] });
    this.addServiceRoute('authorize', 'Authorize', {
      code: 'authorize',
      returnResponse: true,
      // DeleteItem, Query on the user index and GET @connections: the per-user connection limit.
      connectionsTable: ['GetItem', 'UpdateItem', 'DeleteItem'],
      environment: { ...jwtEnvironment(props.jwt, props.maxTokenLifetime), MAX_CONNECTIONS_PER_USER: maxConnectionsPerUser },
    })
      .bindTable({ table: this.table, env: 'CONNECTIONS_TABLE_NAME', actions: ['Query'], index: userIndex })
      .bindTable({ table: this.inboxTable, env: 'INBOX_TABLE_NAME', actions: ['PutItem'] })
      .manageConnections(this.webSocketStage, ['POST', 'DELETE', 'GET']);
    this.addServiceRoute('ping', 'Ping', { code: 'ping', returnResponse: true, connectionsTable: ['GetItem'] });
    this.addServiceRoute('resume', 'Resume', {
      code: 'resume',
      returnResponse: true,
      connectionsTable: ['GetItem'],
      environment: { INBOX_RETENTION_SECONDS: inboxRetentionSeconds },
    })
      .bindTable({ table: this.inboxTable, env: 'INBOX_TABLE_NAME', actions: ['GetItem', 'Query'] })
      .manageConnections(this.webSocketStage, ['POST']);
    this.addServiceRoute('$default', 'Default', { code: 'default', returnResponse: true, connectionsTable: ['GetItem'] });

    const keepAlive = new KeepAliveRoute(this, 'KeepAlive', { webSocketApi: this.api, routeKey: KEEP_ALIVE_ROUTE_KEY, reply: KEEP_ALIVE_REPLY });
    acknowledgeKeepAliveRoute(keepAlive.route);

    // Queue consumers.
    this.addFunction('AuthorizeDeadline', {
      code: 'authorize-deadline',
      description: 'Disconnects connections still pending at their authorize deadline',
      timeout: CONSUMER_TIMEOUTS.AuthorizeDeadline,
    })
      .bindTable({ table: this.table, env: 'CONNECTIONS_TABLE_NAME', actions: ['GetItem', 'DeleteItem'] })
      .manageConnections(this.webSocketStage, ['POST', 'DELETE'])
      .consume(authorizeDeadline, { batchSize: 10 });

    this.addFunction('NotifyUser', {
      code: 'notify-user',
      description: "Stores a notification in the user's inbox and fans it out to the user's authorized connections",
      timeout: CONSUMER_TIMEOUTS.NotifyUser,
      memorySize: 512,
      environment: { INBOX_RETENTION_SECONDS: inboxRetentionSeconds },
    })
      .bindTable({ table: this.table, env: 'CONNECTIONS_TABLE_NAME', actions: ['Query'], index: userIndex })
      .bindTable({ table: this.inboxTable, env: 'INBOX_TABLE_NAME', actions: ['GetItem', 'PutItem', 'UpdateItem', 'Query'] })
      .bindTable({ table: this.inboxTable, env: 'INBOX_TABLE_NAME', actions: ['Query'], index: { name: inbox.idIndexName, env: 'INBOX_ID_INDEX_NAME' } })
      .sendTo(notifyConnection.queue, 'NOTIFY_CONNECTION_QUEUE_URL')
      .consume(notifyUser, { batchSize: 10, maxConcurrency: props.concurrency?.notifyUser });

    this.addFunction('NotifyConnection', {
      code: 'notify-connection',
      description: 'Delivers a notification to one connection through @connections',
      timeout: CONSUMER_TIMEOUTS.NotifyConnection,
    })
      // BatchGetItem: a batch's connection records in one read (src/handlers/notify-connection.ts).
      .bindTable({ table: this.table, env: 'CONNECTIONS_TABLE_NAME', actions: ['GetItem', 'BatchGetItem', 'DeleteItem'] })
      .manageConnections(this.webSocketStage, ['POST'])
      .consume(notifyConnection, { batchSize: 10, maxConcurrency: props.concurrency?.notifyConnection });

    // Alarms and the dashboard, over every function.
    const observed: ObservedService = {
      stageName: props.stageName,
      functions: this.serviceFunctions,
      queues: this.queues,
      notificationQueues: [notifyUser, notifyConnection],
      webSocketStage: this.webSocketStage,
    };
    this.alarms = new ServiceAlarms(this, 'Alarms', { ...observed, action: new SnsAction(this.alarmTopic) }).alarms;
    this.dashboard = new ServiceDashboard(this, 'Dashboard', { ...observed, dashboardName: props.dashboardName, alarms: this.alarms }).dashboard;
  }

  /**
   * Lets `grantee` send notifications: sqs:SendMessage (which covers SendMessageBatch) on
   * NotifyUser and NotifyConnection, or on the one `options` leaves. Nothing else: the queues are
   * encrypted with SQS-managed keys, which need no KMS right. Give the function the queue URLs
   * (`notifyUserQueue.queueUrl`, `notifyConnectionQueue.queueUrl`) in its environment.
   */
  grantNotify(grantee: IGrantable, options: GrantNotifyOptions = {}): Grant {
    const queues = [...(options.users === false ? [] : [this.notifyUserQueue]), ...(options.connections === false ? [] : [this.notifyConnectionQueue])];
    if (queues.length === 0) throw new InvalidWsNotifyPropsError('grantNotify', 'leaves no queue to send to');
    return Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: queues.map((queue) => queue.queueArn) });
  }

  /**
   * Adds a route whose Lambda proxy integration is `options.handler`. The function gets no right on
   * the service's resources: grant it what it uses (`table`, `callbackUrl`). Every route but
   * `$connect` reaches the function whatever the connection's state, so a handler must read the
   * connection's record before acting, as the service's own handlers do.
   */
  addRoute(routeKey: string, options: AddRouteOptions): WebSocketRoute {
    return this.route(routeKey, `${routeKey.replace(/[^A-Za-z0-9]/g, '')}Integration`, options);
  }

  /** A route of the service and its function. */
  private addServiceRoute(routeKey: string, name: string, options: ServiceFunctionOptions & ServiceRouteOptions): NotifyFunction {
    const { returnResponse, connectionsTable, authorizer, ...functionOptions } = options;
    const fn = this.addFunction(name, { ...functionOptions, description: options.description ?? `Route ${routeKey}` });
    if (connectionsTable !== undefined) fn.bindTable({ table: this.table, env: 'CONNECTIONS_TABLE_NAME', actions: connectionsTable });
    this.route(routeKey, `${name}Integration`, { handler: fn.function, returnResponse, authorizer });
    return fn;
  }

  /** A route to the handler's Lambda proxy integration `integrationId`; one without an authorizer is acknowledged for cdk-nag. */
  private route(routeKey: string, integrationId: string, options: AddRouteOptions & Pick<ServiceRouteOptions, 'authorizer'>): WebSocketRoute {
    const { handler, returnResponse = false, authorizer } = options;
    const integration = new WebSocketLambdaIntegration(integrationId, handler);
    const route = this.api.addRoute(routeKey, { integration, returnResponse, authorizer });
    if (authorizer === undefined) acknowledgeRouteWithoutAuthorizer(route, routeKey);
    return route;
  }

  /** A function of the service, with the service's defaults. */
  private addFunction(name: string, options: ServiceFunctionOptions): NotifyFunction {
    const fn = new NotifyFunction(this, `${name}Function`, {
      ...options,
      name,
      stageName: this.props.stageName,
      logLevel: this.props.logLevel ?? 'INFO',
      removalPolicy: this.removalPolicy,
      logRetention: this.props.logRetention ?? RetentionDays.ONE_MONTH,
      awsSdk: this.props.awsSdk,
    });
    this.serviceFunctions.set(name, fn.function);
    return fn;
  }
}

/** What differs between the service's functions; the rest is the service's (addFunction). */
type ServiceFunctionOptions = Pick<NotifyFunctionProps, 'code' | 'description' | 'environment' | 'timeout' | 'memorySize' | 'reservedConcurrentExecutions'>;

interface ServiceRouteOptions extends Pick<AddRouteOptions, 'returnResponse'> {
  /** Item actions on the connections table; the table name goes in CONNECTIONS_TABLE_NAME. */
  readonly connectionsTable?: readonly TableAction[];
  readonly authorizer?: IWebSocketRouteAuthorizer;
}
