/**
 * Resolves the CloudFormation intrinsics a synthesized ws-notify template uses (in function
 * environments and outputs) to local values: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Select`,
 * `Fn::Split`, `Fn::Sub`, and the pseudo parameters AWS::Region, AWS::AccountId, AWS::URLSuffix,
 * AWS::Partition, AWS::StackName, AWS::StackId and AWS::NoValue. Anything else is an
 * IntrinsicResolutionError that names the intrinsic and where it is.
 *
 * Execute-api endpoints of an emulated API are rendered locally: once a `Fn::Join`/`Fn::Sub` has
 * produced `https://<apiId>.execute-api.<region>.<urlSuffix>/<stage>` (the callback URL) or
 * `wss://…` (the WebSocket URL) for an API id listed in `context.executeApiEndpoints`, its origin
 * is replaced by the local one, e.g. `http://127.0.0.1:3001/<stage>`.
 */
import { IntrinsicResolutionError } from './template-errors';

/** The local values of one resource. */
export interface LocalResourceValues {
  /** What `Ref` returns (queue URL, table name, API id, stage name, function name, …). */
  readonly ref: string;
  /** What `Fn::GetAtt` returns, by attribute (`Arn`, `QueueName`, `QueueUrl`, `ApiEndpoint`, …). */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Local origins (scheme, host and port, no path) standing in for an emulated API's execute-api endpoint. */
export interface LocalExecuteApiEndpoint {
  /** Replaces `https://<apiId>.execute-api.<region>.<urlSuffix>`, e.g. `http://127.0.0.1:3001`. */
  readonly https: string;
  /** Replaces `wss://<apiId>.execute-api.<region>.<urlSuffix>`, e.g. `ws://127.0.0.1:3001`. */
  readonly wss: string;
}

export interface IntrinsicContext {
  readonly region: string;
  readonly accountId: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** @default 'amazonaws.com' */
  readonly urlSuffix?: string;
  readonly stackName: string;
  /** @default an ARN made of region, account id and stack name */
  readonly stackId?: string;
  /** Local values by logical id. A `Ref`/`Fn::GetAtt` to a logical id not listed here is an error. */
  readonly resources: Readonly<Record<string, LocalResourceValues>>;
  /** By API id (the `ref` of the AWS::ApiGatewayV2::Api): where its execute-api endpoint is served locally. */
  readonly executeApiEndpoints?: Readonly<Record<string, LocalExecuteApiEndpoint>>;
}

/** Marker for `Ref: AWS::NoValue`: the property or list element is dropped. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
type Resolved = unknown;

const SUPPORTED = new Set(['Ref', 'Fn::GetAtt', 'Fn::Join', 'Fn::Select', 'Fn::Split', 'Fn::Sub']);

/**
 * Returns `value` with every intrinsic replaced by its local value. Plain values are returned as
 * they are (objects and arrays are copied). `where` names the value in error messages, e.g.
 * `Connect.Environment.CALLBACK_URL`.
 *
 * @example
 * resolveIntrinsics({ 'Fn::Join': ['', ['https://', { Ref: 'WebSocketApi' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/local']] }, {
 *   region: 'us-east-1', accountId: '000000000000', stackName: 'WsNotify-local',
 *   resources: { WebSocketApi: { ref: 'a1b2c3d4e5' } },
 *   executeApiEndpoints: { a1b2c3d4e5: { https: 'http://127.0.0.1:3001', wss: 'ws://127.0.0.1:3001' } },
 * }); // 'http://127.0.0.1:3001/local'
 */
export function resolveIntrinsics(value: unknown, context: IntrinsicContext, where = 'value'): unknown {
  const resolved = new Resolver(context).resolve(value, where);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** Like resolveIntrinsics, but the result must be a string (an environment variable, a URL). */
export function resolveToString(value: unknown, context: IntrinsicContext, where = 'value'): string {
  const resolved = resolveIntrinsics(value, context, where);
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
  throw new IntrinsicResolutionError('malformed_intrinsic', describe(value), where, `resolves to ${typeOf(resolved)}, not a string`);
}

/** True when `value` is an intrinsic function call (`{ Ref: … }` or `{ 'Fn::…': … }`). */
export function isIntrinsic(value: unknown): value is Readonly<Record<string, unknown>> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

class Resolver {
  private readonly partition: string;
  private readonly urlSuffix: string;
  private readonly endpointPatterns: readonly { readonly pattern: RegExp; readonly endpoint: LocalExecuteApiEndpoint }[];

  constructor(private readonly context: IntrinsicContext) {
    this.partition = context.partition ?? 'aws';
    this.urlSuffix = context.urlSuffix ?? 'amazonaws.com';
    this.endpointPatterns = Object.entries(context.executeApiEndpoints ?? {}).map(([apiId, endpoint]) => ({
      pattern: new RegExp(`^(https|wss)://${escapeRegExp(apiId)}\\.execute-api\\.${escapeRegExp(context.region)}\\.${escapeRegExp(this.urlSuffix)}(?=/|$)`),
      endpoint,
    }));
  }

  resolve(value: unknown, where: string): Resolved {
    if (Array.isArray(value)) {
      return value.map((item, index) => this.resolve(item, `${where}[${index}]`)).filter((item) => item !== NO_VALUE);
    }
    if (!isPlainObject(value)) return value;
    if (isIntrinsic(value)) {
      const [name, args] = Object.entries(value)[0]!;
      return this.intrinsic(name, args, where);
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = this.resolve(item, `${where}.${key}`);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  private intrinsic(name: string, args: unknown, where: string): Resolved {
    if (!SUPPORTED.has(name)) {
      throw new IntrinsicResolutionError('unsupported_intrinsic', name, where, 'not supported by the local runtime');
    }
    switch (name) {
      case 'Ref':
        return this.ref(args, where);
      case 'Fn::GetAtt':
        return this.getAtt(args, where);
      case 'Fn::Join':
        return this.localEndpoint(this.join(args, where));
      case 'Fn::Select':
        return this.select(args, where);
      case 'Fn::Split':
        return this.split(args, where);
      default:
        return this.localEndpoint(this.sub(args, where));
    }
  }

  private ref(args: unknown, where: string): Resolved {
    if (typeof args !== 'string') throw malformed('Ref', where, 'expects a logical id or pseudo parameter name');
    if (args === 'AWS::NoValue') return NO_VALUE;
    return this.lookup(args, undefined, 'Ref', where);
  }

  private getAtt(args: unknown, where: string): string {
    let logicalId: unknown;
    let attribute: unknown;
    if (typeof args === 'string') {
      const dot = args.indexOf('.');
      [logicalId, attribute] = dot < 0 ? [args, undefined] : [args.slice(0, dot), args.slice(dot + 1)];
    } else if (Array.isArray(args) && args.length === 2) {
      [logicalId, attribute] = args as unknown[];
    }
    if (typeof logicalId !== 'string' || typeof attribute !== 'string') {
      throw malformed('Fn::GetAtt', where, 'expects [logicalId, attributeName] with literal strings');
    }
    return this.lookup(logicalId, attribute, 'Fn::GetAtt', where);
  }

  /** The local value of a pseudo parameter, `Ref` of a logical id, or one of its attributes. */
  private lookup(logicalId: string, attribute: string | undefined, intrinsic: string, where: string): string {
    if (attribute === undefined && logicalId.startsWith('AWS::')) {
      const pseudo = this.pseudoParameter(logicalId);
      if (pseudo === undefined) {
        throw new IntrinsicResolutionError('unknown_reference', intrinsic, where, `pseudo parameter ${logicalId} is not supported`);
      }
      return pseudo;
    }
    const resource = Object.prototype.hasOwnProperty.call(this.context.resources, logicalId) ? this.context.resources[logicalId] : undefined;
    if (resource === undefined) {
      throw new IntrinsicResolutionError('unknown_reference', intrinsic, where, `${logicalId} has no local value`);
    }
    if (attribute === undefined) return resource.ref;
    const value = resource.attributes !== undefined && Object.prototype.hasOwnProperty.call(resource.attributes, attribute)
      ? resource.attributes[attribute]
      : undefined;
    if (value === undefined) {
      throw new IntrinsicResolutionError('unknown_attribute', intrinsic, where, `${logicalId}.${attribute} has no local value`);
    }
    return value;
  }

  private pseudoParameter(name: string): string | undefined {
    switch (name) {
      case 'AWS::Region':
        return this.context.region;
      case 'AWS::AccountId':
        return this.context.accountId;
      case 'AWS::Partition':
        return this.partition;
      case 'AWS::URLSuffix':
        return this.urlSuffix;
      case 'AWS::StackName':
        return this.context.stackName;
      case 'AWS::StackId':
        return (
          this.context.stackId ??
          `arn:${this.partition}:cloudformation:${this.context.region}:${this.context.accountId}:stack/${this.context.stackName}/local`
        );
      default:
        return undefined;
    }
  }

  private join(args: unknown, where: string): string {
    if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string') {
      throw malformed('Fn::Join', where, 'expects [delimiter, list]');
    }
    const [delimiter, list] = args as [string, unknown];
    const items = this.resolve(list, `${where}.Fn::Join[1]`);
    if (!Array.isArray(items)) throw malformed('Fn::Join', where, 'the list does not resolve to a list');
    return items.map((item, index) => scalar(item, 'Fn::Join', `${where}.Fn::Join[1][${index}]`)).join(delimiter);
  }

  private select(args: unknown, where: string): Resolved {
    if (!Array.isArray(args) || args.length !== 2) throw malformed('Fn::Select', where, 'expects [index, list]');
    const index = Number(this.resolve(args[0], `${where}.Fn::Select[0]`));
    const list = this.resolve(args[1], `${where}.Fn::Select[1]`);
    if (!Array.isArray(list)) throw malformed('Fn::Select', where, 'the list does not resolve to a list');
    if (!Number.isInteger(index) || index < 0 || index >= list.length) {
      throw malformed('Fn::Select', where, `index ${String(args[0])} is outside the list of ${list.length}`);
    }
    return list[index] as Resolved;
  }

  private split(args: unknown, where: string): string[] {
    if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string') {
      throw malformed('Fn::Split', where, 'expects [delimiter, string]');
    }
    const source = this.resolve(args[1], `${where}.Fn::Split[1]`);
    if (typeof source !== 'string') throw malformed('Fn::Split', where, 'the source does not resolve to a string');
    return source.split(args[0]);
  }

  private sub(args: unknown, where: string): string {
    let template: unknown = args;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(args)) {
      if (args.length !== 2 || !isPlainObject(args[1])) throw malformed('Fn::Sub', where, 'expects a string or [string, variables]');
      template = args[0];
      variables = args[1];
    }
    if (typeof template !== 'string') throw malformed('Fn::Sub', where, 'expects a string template');
    return template.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      const name = expression.trim();
      if (Object.prototype.hasOwnProperty.call(variables, name)) {
        return scalar(this.resolve(variables[name], `${where}.Fn::Sub[1].${name}`), 'Fn::Sub', where);
      }
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) {
        return this.lookup(name.slice(0, dot), name.slice(dot + 1), 'Fn::Sub', where);
      }
      return this.lookup(name, undefined, 'Fn::Sub', where);
    });
  }

  /** Renders an execute-api URL of an emulated API with its local origin. */
  private localEndpoint(url: string): string {
    for (const { pattern, endpoint } of this.endpointPatterns) {
      const match = pattern.exec(url);
      if (match !== null) return `${match[1] === 'wss' ? endpoint.wss : endpoint.https}${url.slice(match[0].length)}`;
    }
    return url;
  }
}

function scalar(value: unknown, intrinsic: string, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw malformed(intrinsic, where, `expects a string, got ${typeOf(value)}`);
}

function malformed(intrinsic: string, where: string, detail: string): IntrinsicResolutionError {
  return new IntrinsicResolutionError('malformed_intrinsic', intrinsic, where, detail);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function describe(value: unknown): string {
  return isIntrinsic(value) ? Object.keys(value)[0]! : 'value';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
