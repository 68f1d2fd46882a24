/**
 * Resolves the CloudFormation intrinsics a synthesized ws-notify template uses (in function
 * environments and outputs) to local values: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Select`,
 * `Fn::Split`, `Fn::Sub`, and the pseudo parameters AWS::Region, AWS::AccountId, AWS::URLSuffix,
 * AWS::Partition, AWS::StackName, AWS::StackId and AWS::NoValue. Anything else is an
 * IntrinsicResolutionError that names the intrinsic and where it is. An execute-api URL of an API
 * in `context.executeApiEndpoints` gets the local origin (docs/local.md, Built from the template).
 */
import { IntrinsicResolutionError } from './template-errors';
import { isObject } from './template-resources';

/** The local values of one resource: what `Ref` returns, and `Fn::GetAtt` by attribute (`Arn`, `QueueUrl`, …). */
export interface LocalResourceValues {
  readonly ref: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface IntrinsicContext {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  /** Local values by logical id. A `Ref`/`Fn::GetAtt` to a logical id not listed here is an error. */
  readonly resources: Readonly<Record<string, LocalResourceValues>>;
  /** By API id: the local origins (`http://127.0.0.1:3001`, `ws://…`) that stand in for its execute-api endpoint. */
  readonly executeApiEndpoints?: Readonly<Record<string, LocalEndpoint>>;
}

type LocalEndpoint = { readonly https: string; readonly wss: string };

/** Marker for `Ref: AWS::NoValue`: the property or list element is dropped. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
const URL_SUFFIX = 'amazonaws.com';

/**
 * Returns `value` with every intrinsic replaced by its local value (objects and arrays copied).
 * `where` names the value in error messages, e.g. `Connect.Environment.CALLBACK_URL`.
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
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

class Resolver {
  private readonly pseudoParameters: Readonly<Record<string, string>>;
  private readonly endpointPatterns: readonly { readonly pattern: RegExp; readonly endpoint: LocalEndpoint }[];

  constructor(private readonly context: IntrinsicContext) {
    const { region, accountId, stackName } = context;
    this.pseudoParameters = {
      'AWS::Region': region,
      'AWS::AccountId': accountId,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': URL_SUFFIX,
      'AWS::StackName': stackName,
      'AWS::StackId': `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/local`,
    };
    this.endpointPatterns = Object.entries(context.executeApiEndpoints ?? {}).map(([apiId, endpoint]) => ({
      pattern: new RegExp(`^(https|wss)://${escapeRegExp(apiId)}\\.execute-api\\.${escapeRegExp(region)}\\.${escapeRegExp(URL_SUFFIX)}(?=/|$)`),
      endpoint,
    }));
  }

  resolve(value: unknown, where: string): unknown {
    if (Array.isArray(value)) {
      return value.map((item, index) => this.resolve(item, `${where}[${index}]`)).filter((item) => item !== NO_VALUE);
    }
    if (!isObject(value)) return value;
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

  private intrinsic(name: string, args: unknown, where: string): unknown {
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
      case 'Fn::Sub':
        return this.localEndpoint(this.sub(args, where));
      default:
        throw new IntrinsicResolutionError('unsupported_intrinsic', name, where, 'not supported by the local runtime');
    }
  }

  private ref(args: unknown, where: string): unknown {
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
      const pseudo = Object.hasOwn(this.pseudoParameters, logicalId) ? this.pseudoParameters[logicalId] : undefined;
      if (pseudo === undefined) {
        throw new IntrinsicResolutionError('unknown_reference', intrinsic, where, `pseudo parameter ${logicalId} is not supported`);
      }
      return pseudo;
    }
    const resource = Object.hasOwn(this.context.resources, logicalId) ? this.context.resources[logicalId] : undefined;
    if (resource === undefined) {
      throw new IntrinsicResolutionError('unknown_reference', intrinsic, where, `${logicalId} has no local value`);
    }
    if (attribute === undefined) return resource.ref;
    const { attributes } = resource;
    const value = attributes !== undefined && Object.hasOwn(attributes, attribute) ? attributes[attribute] : undefined;
    if (value === undefined) {
      throw new IntrinsicResolutionError('unknown_attribute', intrinsic, where, `${logicalId}.${attribute} has no local value`);
    }
    return value;
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

  private select(args: unknown, where: string): unknown {
    if (!Array.isArray(args) || args.length !== 2) throw malformed('Fn::Select', where, 'expects [index, list]');
    const index = Number(this.resolve(args[0], `${where}.Fn::Select[0]`));
    const list = this.resolve(args[1], `${where}.Fn::Select[1]`);
    if (!Array.isArray(list)) throw malformed('Fn::Select', where, 'the list does not resolve to a list');
    if (!Number.isInteger(index) || index < 0 || index >= list.length) {
      throw malformed('Fn::Select', where, `index ${String(args[0])} is outside the list of ${list.length}`);
    }
    return list[index] as unknown;
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
      if (args.length !== 2 || !isObject(args[1])) throw malformed('Fn::Sub', where, 'expects a string or [string, variables]');
      template = args[0];
      variables = args[1];
    }
    if (typeof template !== 'string') throw malformed('Fn::Sub', where, 'expects a string template');
    return template.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      const name = expression.trim();
      if (Object.hasOwn(variables, name)) {
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
