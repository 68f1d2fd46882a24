/**
 * The IntrinsicContext of a running local stack: what `Ref` and `Fn::GetAtt` of each resource of
 * the StackModel mean locally (embedded table names, embedded queue URLs, the emulated API), so
 * that function environments and outputs resolve to local values.
 */
import { type IntrinsicContext, type LocalResourceValues } from './resolve-intrinsics';
import { type StackModel } from './stack-model';

export interface LocalStackValues {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** The emulated API's id (as in `<apiId>.execute-api…`). */
  readonly apiId: string;
  /** Where the gateway listens: `http://127.0.0.1:<port>` and `ws://127.0.0.1:<port>`. */
  readonly gateway: { readonly http: string; readonly ws: string };
  /** Embedded table name by table logical id. */
  readonly tableNames: Readonly<Record<string, string>>;
  /** Embedded queue URL by queue logical id. */
  readonly queueUrls: Readonly<Record<string, string>>;
}

/**
 * @example
 * const context = createLocalIntrinsicContext(model, {
 *   apiId: 'local0api1', gateway: { http: 'http://127.0.0.1:3001', ws: 'ws://127.0.0.1:3001' },
 *   tableNames: { WsNotifyConnectionsTable1A2B3C4D: 'WsNotify-local-Connections' },
 *   queueUrls: { WsNotifyNotifyUserQueue5E6F7A8B: 'http://127.0.0.1:9324/000000000000/NotifyUser', … },
 * });
 * resolveToString(model.functions.NotifyConnection.environment.CALLBACK_URL, context); // 'http://127.0.0.1:3001/local'
 */
export function createLocalIntrinsicContext(model: StackModel, values: LocalStackValues): IntrinsicContext {
  const region = values.region ?? 'us-east-1';
  const accountId = values.accountId ?? '000000000000';
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${accountId}:${resource}`;
  const resources: Record<string, LocalResourceValues> = {};

  for (const table of Object.values(model.tables)) {
    const name = required(values.tableNames, table.logicalId, 'table name');
    resources[table.logicalId] = { ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`) } };
  }
  for (const queue of Object.values(model.queues)) {
    const url = required(values.queueUrls, queue.logicalId, 'queue URL');
    const name = url.slice(url.lastIndexOf('/') + 1);
    resources[queue.logicalId] = { ref: url, attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: url } };
  }
  for (const fn of Object.values(model.functions)) {
    resources[fn.logicalId] = { ref: fn.logicalId, attributes: { Arn: arn('lambda', `function:${fn.logicalId}`) } };
  }
  resources[model.api.logicalId] = { ref: values.apiId, attributes: { ApiId: values.apiId, ApiEndpoint: values.gateway.ws } };

  return {
    region,
    accountId,
    stackName: model.stackName,
    resources,
    executeApiEndpoints: { [values.apiId]: { https: values.gateway.http, wss: values.gateway.ws } },
  };
}

function required(values: Readonly<Record<string, string>>, logicalId: string, what: string): string {
  const value = Object.prototype.hasOwnProperty.call(values, logicalId) ? values[logicalId] : undefined;
  if (value === undefined) throw new Error(`no local ${what} for ${logicalId}`);
  return value;
}
