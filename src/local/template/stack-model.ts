/**
 * What the local runtime knows of a synthesized stack, all read from its template (read-stack-template.ts).
 * Functions are known by their name: the `ws-notify:name` metadata of the service's own (`Ping`,
 * `NotifyUser`, …; infra/template-metadata.ts), else their logical id. Tables and queues are keyed
 * by logical id and carry their name the same way.
 */

/** A CloudFormation value that may still hold intrinsics (Ref, Fn::GetAtt, Fn::Join, …). */
export type TemplateValue = unknown;

interface RouteModelBase {
  /** `$connect`, `$disconnect`, `$default`, `ping`, … */
  readonly routeKey: string;
  /** True when the route has a route response: the function's return value (or `mock.response`) goes back to the client. */
  readonly returnResponse: boolean;
}

/** A route whose integration is a Lambda function (Lambda proxy, `AWS_PROXY`). */
export interface LambdaRouteModel extends RouteModelBase {
  /** Name of the function behind the route's Lambda proxy integration. */
  readonly functionId: string;
  readonly mock?: undefined;
}

/** What a MOCK integration answers (read-mock-integration.ts): the reply, none when nothing is sent. */
export interface MockIntegrationModel {
  readonly response: string | undefined;
}

/** A route whose integration is MOCK: API Gateway answers it itself and invokes nothing. */
export interface MockRouteModel extends RouteModelBase {
  readonly mock: MockIntegrationModel;
  readonly functionId?: undefined;
}

export type RouteModel = LambdaRouteModel | MockRouteModel;

export interface AuthorizerModel {
  readonly logicalId: string;
  /** Name of the authorizer function. */
  readonly functionId: string;
  /** e.g. `['route.request.querystring.token']`. */
  readonly identitySource: readonly string[];
}

export interface WebSocketApiModel {
  readonly logicalId: string;
  readonly name: string;
  /** e.g. `$request.body.action`. */
  readonly routeSelectionExpression: string;
  readonly routes: readonly RouteModel[];
  /** The REQUEST authorizer on `$connect`, when the stage's mode is `authorizer`. */
  readonly authorizer?: AuthorizerModel;
  readonly stageName: string;
}

export interface FunctionModel {
  readonly logicalId: string;
  /** Its `ws-notify:name`, else the logical id: the id the runtime invokes it, logs it and reports it by. */
  readonly name: string;
  /** The directory of the function's code asset (absolute), from the template's asset metadata. */
  readonly codeDirectory: string;
  /** `Handler` split: `index.handler` → module `index` (in codeDirectory, no extension), export `handler`. */
  readonly handlerModule: string;
  readonly handlerExport: string;
  /** Environment variables as in the template: values may hold intrinsics (resolve-intrinsics.ts). */
  readonly environment: Readonly<Record<string, TemplateValue>>;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly reservedConcurrency?: number;
}

export interface KeySchemaModel {
  readonly partitionKey: { readonly name: string; readonly type: 'S' | 'N' | 'B' };
  readonly sortKey?: { readonly name: string; readonly type: 'S' | 'N' | 'B' };
}

export interface IndexModel extends KeySchemaModel {
  readonly indexName: string;
  readonly projection: { readonly type: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; readonly nonKeyAttributes?: readonly string[] };
}

export interface TableModel extends KeySchemaModel {
  readonly logicalId: string;
  /** Its `ws-notify:name` (`Connections` for the service's table), else the logical id. */
  readonly name: string;
  /** TableName when the template sets one; otherwise the runtime names it. */
  readonly tableName?: string;
  readonly globalSecondaryIndexes: readonly IndexModel[];
  readonly localSecondaryIndexes: readonly IndexModel[];
  readonly ttlAttribute?: string;
}

export interface QueueModel {
  readonly logicalId: string;
  /** Its `ws-notify:name` (`NotifyUser`, …), else the logical id: the key of the endpoints file's `queues`. */
  readonly name: string;
  /** QueueName when the template sets one; otherwise the runtime names it. */
  readonly queueName?: string;
  readonly visibilityTimeoutSeconds: number;
  readonly delaySeconds: number;
  readonly messageRetentionSeconds?: number;
  readonly redrive?: { readonly deadLetterQueueId: string; readonly maxReceiveCount: number };
}

export interface EventSourceMappingModel {
  readonly logicalId: string;
  /** Name of the function the mapping invokes. */
  readonly functionId: string;
  readonly queueId: string;
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly maximumConcurrency?: number;
}

export interface StackModel {
  readonly stackName: string;
  readonly api: WebSocketApiModel;
  /** By name. */
  readonly functions: Readonly<Record<string, FunctionModel>>;
  readonly tables: Readonly<Record<string, TableModel>>;
  readonly queues: Readonly<Record<string, QueueModel>>;
  readonly eventSourceMappings: readonly EventSourceMappingModel[];
}
