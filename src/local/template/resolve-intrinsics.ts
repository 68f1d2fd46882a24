/**
 * Resolves the CloudFormation intrinsics a synthesized ws-notify template uses in function
 * environments to local values: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, and the pseudo
 * parameters AWS::Region, AWS::AccountId, AWS::URLSuffix, AWS::Partition, AWS::StackName and
 * AWS::StackId. Anything else is an IntrinsicResolutionError that names the intrinsic and where it
 * is. An execute-api URL of an API in `context.executeApiEndpoints` gets the local origin
 * (docs/local.md, Built from the template).
 */
import { IntrinsicResolutionError } from './template-errors';
import { isRecord } from '../is-record';

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

const URL_SUFFIX = 'amazonaws.com';

/**
 * The local value of `value` (a string, number or boolean, or an intrinsic that resolves to one), as
 * a string. `where` names the value in error messages, e.g. `Connect.Environment.CALLBACK_URL`.
 *
 * @example
 * resolveToString({ 'Fn::Join': ['', ['https://', { Ref: 'WebSocketApi' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/local']] }, {
 *   region: 'us-east-1', accountId: '000000000000', stackName: 'WsNotify-local',
 *   resources: { WebSocketApi: { ref: 'a1b2c3d4e5' } },
 *   executeApiEndpoints: { a1b2c3d4e5: { https: 'http://127.0.0.1:3001', wss: 'ws://127.0.0.1:3001' } },
 * }); // 'http://127.0.0.1:3001/local'
 */
export function resolveToString(value: unknown, context: IntrinsicContext, where = 'value'): string {
  return new Resolver(context).resolve(value, where);
}

/** True when `value` is an intrinsic function call (`{ Ref: … }` or `{ 'Fn::…': … }`). */
function isIntrinsic(value: unknown): value is Readonly<Record<string, unknown>> {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

class Resolver {
  /** The context's resources, and the pseudo parameters as resources without attributes. */
  private readonly resources: Readonly<Record<string, LocalResourceValues>>;
  private readonly endpointPatterns: readonly { readonly pattern: RegExp; readonly endpoint: LocalEndpoint }[];

  constructor(context: IntrinsicContext) {
    const { region, accountId, stackName } = context;
    const pseudoParameters = {
      'AWS::Region': region,
      'AWS::AccountId': accountId,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': URL_SUFFIX,
      'AWS::StackName': stackName,
      'AWS::StackId': `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/local`,
    };
    this.resources = { ...Object.fromEntries(Object.entries(pseudoParameters).map(([name, ref]) => [name, { ref }])), ...context.resources };
    this.endpointPatterns = Object.entries(context.executeApiEndpoints ?? {}).map(([apiId, endpoint]) => ({
      pattern: new RegExp(`^(https|wss)://${escapeRegExp(apiId)}\\.execute-api\\.${escapeRegExp(region)}\\.${escapeRegExp(URL_SUFFIX)}(?=/|$)`),
      endpoint,
    }));
  }

  resolve(value: unknown, where: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (!isIntrinsic(value)) throw malformed('value', where, `resolves to ${typeOf(value)}, not a string`);
    const [name, args] = Object.entries(value)[0]!;
    switch (name) {
      case 'Ref':
        if (typeof args !== 'string') throw malformed('Ref', where, 'expects a logical id or pseudo parameter name');
        return this.lookup(args, undefined, 'Ref', where);
      case 'Fn::GetAtt':
        return this.getAtt(args, where);
      case 'Fn::Join':
        return this.localEndpoint(this.join(args, where));
      case 'Fn::Sub':
        return this.localEndpoint(this.sub(args, where));
      default:
        throw new IntrinsicResolutionError('unsupported_intrinsic', name, where, 'not supported by the local runtime');
    }
  }

  private getAtt(args: unknown, where: string): string {
    const [logicalId, attribute]: unknown[] = typeof args === 'string' ? args.split(/\.(.*)/, 2) : Array.isArray(args) && args.length === 2 ? (args as unknown[]) : [];
    if (typeof logicalId !== 'string' || typeof attribute !== 'string') {
      throw malformed('Fn::GetAtt', where, 'expects [logicalId, attributeName] with literal strings');
    }
    return this.lookup(logicalId, attribute, 'Fn::GetAtt', where);
  }

  /** The local value of a pseudo parameter, `Ref` of a logical id, or one of its attributes. */
  private lookup(logicalId: string, attribute: string | undefined, intrinsic: string, where: string): string {
    const resource = Object.hasOwn(this.resources, logicalId) ? this.resources[logicalId] : undefined;
    if (resource === undefined) {
      const detail = logicalId.startsWith('AWS::') ? `pseudo parameter ${logicalId} is not supported` : `${logicalId} has no local value`;
      throw new IntrinsicResolutionError('unknown_reference', intrinsic, where, detail);
    }
    if (attribute === undefined) return resource.ref;
    const value = resource.attributes !== undefined && Object.hasOwn(resource.attributes, attribute) ? resource.attributes[attribute] : undefined;
    if (value === undefined) {
      throw new IntrinsicResolutionError('unknown_attribute', intrinsic, where, `${logicalId}.${attribute} has no local value`);
    }
    return value;
  }

  private join(args: unknown, where: string): string {
    if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string' || !Array.isArray(args[1])) {
      throw malformed('Fn::Join', where, 'expects [delimiter, list]');
    }
    const [delimiter, list] = args as [string, unknown[]];
    return list.map((item, index) => this.resolve(item, `${where}.Fn::Join[1][${index}]`)).join(delimiter);
  }

  private sub(args: unknown, where: string): string {
    let template: unknown = args;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(args)) {
      if (args.length !== 2 || !isRecord(args[1])) throw malformed('Fn::Sub', where, 'expects a string or [string, variables]');
      template = args[0];
      variables = args[1];
    }
    if (typeof template !== 'string') throw malformed('Fn::Sub', where, 'expects a string template');
    return template.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      const name = expression.trim();
      if (Object.hasOwn(variables, name)) return this.resolve(variables[name], `${where}.Fn::Sub[1].${name}`);
      const [logicalId = '', attribute] = name.startsWith('AWS::') ? [name] : name.split(/\.(.*)/, 2);
      return this.lookup(logicalId, attribute, 'Fn::Sub', where);
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

function malformed(intrinsic: string, where: string, detail: string): IntrinsicResolutionError {
  return new IntrinsicResolutionError('malformed_intrinsic', intrinsic, where, detail);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
