import { type CfnElement, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, Code, EventSourceMapping, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../src/commons/metric-names';
import { SDK_CALL_LIMIT_MS } from '../../src/commons/sdk-timeouts';
import { type AwsSdkSource, functionCodeDirectory } from '../function-code';
import { acknowledgeConnectionsWildcard } from '../nag-acknowledgements';
import { NAME_METADATA_KEY } from '../template-metadata';
import { type NotifyQueue, VISIBILITY_TIMEOUT_FACTOR } from './notify-queue';

/** DynamoDB item actions a function may be granted on a table (never `dynamodb:*`). */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query';

export interface TableBinding {
  readonly table: ITableV2;
  /** Environment variable that receives the table name. */
  readonly env: string;
  /** Exactly the item actions the function calls. */
  readonly actions: readonly TableAction[];
  /** When set, the actions are granted on this index only (not on the table), and its name goes in `env`. */
  readonly index?: { readonly name: string; readonly env: string };
}

/** Management API methods on `@connections/{id}` (execute-api:ManageConnections). */
export type ConnectionsMethod = 'POST' | 'GET' | 'DELETE';

export interface QueueConsumerOptions {
  readonly batchSize: number;
  /** ScalingConfig.MaximumConcurrency (2–1000). */
  readonly maxConcurrency?: number;
}

export interface NotifyFunctionProps {
  /** The function's name in the service (`Ping`, `NotifyUser`, …), written as its `ws-notify:name` metadata. */
  readonly name: string;
  /** The bundle the function runs: the entry's name in src/functions (`ping`, `notify-user`), see infra/function-code.ts. */
  readonly code: string;
  /** The stage name, in STAGE and the role's description. */
  readonly stageName: string;
  /** POWERTOOLS_LOG_LEVEL. */
  readonly logLevel: string;
  /** Of the log group. */
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
  readonly description?: string;
  /** Function-specific environment; STAGE and the Powertools variables (service name, metrics namespace, log level) are added. */
  readonly environment?: Readonly<Record<string, string>>;
  /** More than the longest AWS SDK call (src/commons/sdk-timeouts.ts). @default 10 seconds, a route's (infra/ws-notify.ts) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** Reserved concurrency. @default none */
  readonly reservedConcurrentExecutions?: number;
  /** @default DEFAULT_AWS_SDK_SOURCE */
  readonly awsSdk?: AwsSdkSource;
}

/**
 * A ws-notify Lambda function: Node.js 24 on arm64, running its prebuilt minified bundle with
 * source maps (`dist/functions/<awsSdk>/<code>`, made by the package build), its own log group,
 * its own role with no rights but writing its logs, and the environment every function shares.
 * Rights are added with intent, one method per kind of resource, each with exact actions on exact
 * resources: {@link bindTable}, {@link sendTo}, {@link consume}, {@link manageConnections}.
 */
export class NotifyFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: NotifyFunctionProps) {
    super(scope, id);
    this.timeout = props.timeout ?? Duration.seconds(10);
    const timeoutMs = this.timeout.toMilliseconds();
    // A call that hangs must fail before the function does, so that it fails its record, not the invocation.
    this.node.addValidation({
      validate: () =>
        timeoutMs > SDK_CALL_LIMIT_MS ? [] : [`function ${props.name} has a timeout of ${timeoutMs} ms, not more than the ${SDK_CALL_LIMIT_MS} ms an AWS SDK call may take`],
    });
    const logGroup = new LogGroup(this, 'LogGroup', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    // Our own role instead of AWSLambdaBasicExecutionRole: that managed policy lets the function
    // create any log group and write to every log group of the account.
    this.role = new Role(this, 'ServiceRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `ws-notify ${props.stageName} ${props.name} function`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );

    this.function = new LambdaFunction(this, 'Resource', {
      code: Code.fromAsset(functionCodeDirectory(props.code, props.awsSdk)),
      handler: 'index.handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: this.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup,
      environment: {
        STAGE: props.stageName,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
    (this.function.node.defaultChild as CfnFunction).addMetadata(NAME_METADATA_KEY, props.name);
  }

  addEnvironment(name: string, value: string): this {
    this.function.addEnvironment(name, value);
    return this;
  }

  /** Puts the table name (and index name) in the environment and grants exactly `actions` on the table or on that index. */
  bindTable(binding: TableBinding): this {
    if (binding.actions.length === 0) throw new Error(`${this.node.path}: bindTable needs at least one action`);
    this.addEnvironment(binding.env, binding.table.tableName);
    const resource = binding.index === undefined ? binding.table.tableArn : `${binding.table.tableArn}/index/${binding.index.name}`;
    if (binding.index !== undefined) this.addEnvironment(binding.index.env, binding.index.name);
    const actions = unique(binding.actions).map((action) => `dynamodb:${action}`);
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [resource] }));
    return this;
  }

  /** Puts the queue URL in `env` and grants sqs:SendMessage (which also covers SendMessageBatch) on that queue only. */
  sendTo(queue: IQueue, env: string): this {
    this.addEnvironment(env, queue.queueUrl);
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    return this;
  }

  /**
   * Makes this function the consumer of a NotifyQueue: an event source mapping with
   * ReportBatchItemFailures, the three actions the Lambda poller needs on the queue, and the DLQ's
   * URL in DEAD_LETTER_QUEUE_URL with send rights (the consumer refuses poison messages itself).
   * The queue's visibility timeout must be at least VISIBILITY_TIMEOUT_FACTOR (6) × this function's timeout.
   */
  consume(queue: NotifyQueue, options: QueueConsumerOptions): EventSourceMapping {
    const visibility = queue.visibilityTimeout.toSeconds();
    const timeout = this.timeout.toSeconds();
    this.node.addValidation({
      validate: () =>
        visibility >= VISIBILITY_TIMEOUT_FACTOR * timeout
          ? []
          : [`queue ${queue.node.path} has a visibility timeout of ${visibility}s, less than ${VISIBILITY_TIMEOUT_FACTOR}× the ${timeout}s timeout of its consumer`],
    });
    const pollerActions = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: pollerActions, resources: [queue.queue.queueArn] }));
    this.sendTo(queue.deadLetterQueue, 'DEAD_LETTER_QUEUE_URL');
    return new EventSourceMapping(this, 'EventSource', {
      target: this.function,
      eventSourceArn: queue.queue.queueArn,
      batchSize: options.batchSize,
      maxConcurrency: options.maxConcurrency,
      reportBatchItemFailures: true,
    });
  }

  /**
   * Puts the stage's callback URL in CALLBACK_URL and grants execute-api:ManageConnections for
   * `methods` on `@connections/*` of that stage of that API only.
   */
  manageConnections(stage: WebSocketStage, methods: readonly ConnectionsMethod[]): this {
    this.addEnvironment('CALLBACK_URL', stage.callbackUrl);
    const stack = Stack.of(this);
    const apiLogicalId = stack.resolve((stage.api.node.defaultChild as CfnElement).logicalId) as string;
    const resources = unique(methods).map((method) => {
      const resourceName = `${stage.stageName}/${method}/@connections/*`;
      acknowledgeConnectionsWildcard(this.role, apiLogicalId, resourceName);
      return stack.formatArn({ service: 'execute-api', resource: stage.api.apiId, resourceName });
    });
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['execute-api:ManageConnections'], resources }));
    return this;
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
