/**
 * The IntrinsicContext of a running local stack: what `Ref` and `Fn::GetAtt` of each resource of
 * the StackModel mean locally (embedded table names, embedded queue URLs, the emulated API), so
 * that function environments and outputs resolve to local values.
 */
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from '../services/aws-client-config';
import { type IntrinsicContext, type LocalResourceValues } from './resolve-intrinsics';
import { type StackModel } from './stack-model';

export interface LocalStackValues {
  /** The emulated API's id (as in `<apiId>.execute-api…`). */
  readonly apiId: string;
  /** Where the gateway listens: `http://127.0.0.1:<port>` and `ws://127.0.0.1:<port>`. */
  readonly gateway: { readonly http: string; readonly ws: string };
  /** Embedded table name and queue URL by logical id: a `Ref` to a table or queue not listed has no local value. */
  readonly tableNames: Readonly<Record<string, string>>;
  readonly queueUrls: Readonly<Record<string, string>>;
}

/**
 * @example
 * const context = createLocalIntrinsicContext(model, { apiId, gateway: { http: 'http://127.0.0.1:3001', ws: … }, … });
 * resolveToString(model.functions.NotifyConnection.environment.CALLBACK_URL, context); // 'http://127.0.0.1:3001/local'
 */
export function createLocalIntrinsicContext(model: StackModel, values: LocalStackValues): IntrinsicContext {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${DEFAULT_REGION}:${DEFAULT_ACCOUNT_ID}:${resource}`;
  const resources: Record<string, LocalResourceValues> = {};

  for (const [logicalId, name] of Object.entries(values.tableNames)) {
    resources[logicalId] = { ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`) } };
  }
  for (const [logicalId, url] of Object.entries(values.queueUrls)) {
    const name = url.slice(url.lastIndexOf('/') + 1);
    resources[logicalId] = { ref: url, attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: url } };
  }
  for (const fn of Object.values(model.functions)) {
    resources[fn.logicalId] = { ref: fn.logicalId, attributes: { Arn: arn('lambda', `function:${fn.logicalId}`) } };
  }
  resources[model.api.logicalId] = { ref: values.apiId, attributes: { ApiId: values.apiId, ApiEndpoint: values.gateway.ws } };

  return {
    region: DEFAULT_REGION,
    accountId: DEFAULT_ACCOUNT_ID,
    stackName: model.stackName,
    resources,
    executeApiEndpoints: { [values.apiId]: { https: values.gateway.http, wss: values.gateway.ws } },
  };
}
