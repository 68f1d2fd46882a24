/**
 * The resources of a template as the per-service readers (read-api.ts, read-functions.ts, …) see
 * them: by logical id and by type, with typed accessors that throw a StackTemplateError naming the
 * resource when a property is not what the local runtime needs.
 */
import { NAME_METADATA_KEY } from '../../../infra/template-metadata';
import { type CfnResource } from './cfn-template';
import { StackTemplateError, type StackTemplateErrorCode } from './template-errors';
import { isRecord } from '../is-record';

/** The properties of a resource type the runtime honours, and those that only matter on AWS. Any other is an error. */
export interface ResourceTypeSpec {
  readonly read: readonly string[];
  readonly awsOnly: readonly string[];
}

export class TemplateResources {
  private readonly byId: ReadonlyMap<string, CfnResource>;
  private readonly byType = new Map<string, string[]>();

  /** `resources` must already be checked: every resource has a Type, an object of Properties and of Metadata. */
  constructor(resources: Readonly<Record<string, CfnResource>>, readTypes: readonly string[]) {
    this.byId = new Map(Object.entries(resources));
    for (const [logicalId, resource] of this.byId) {
      if (readTypes.includes(resource.Type)) this.byType.set(resource.Type, [...(this.byType.get(resource.Type) ?? []), logicalId]);
    }
  }

  /** Logical ids of the resources of that type, in template order. */
  ids(type: string): readonly string[] {
    return this.byType.get(type) ?? [];
  }

  isOfType(logicalId: string, type: string): boolean {
    return this.byId.get(logicalId)?.Type === type;
  }

  resource(id: string): CfnResource {
    const resource = this.byId.get(id);
    if (resource === undefined) throw new StackTemplateError('unresolved_reference', `no resource ${id} in the template`);
    return resource;
  }

  props(id: string): Readonly<Record<string, unknown>> {
    return this.resource(id).Properties ?? {};
  }

  /** A StackTemplateError naming the resource and its type. */
  error(id: string, code: StackTemplateErrorCode, message: string, options?: { cause?: unknown }): StackTemplateError {
    return new StackTemplateError(code, message, id, this.resource(id).Type, options);
  }

  metadata(id: string, key: string): unknown {
    return this.resource(id).Metadata?.[key];
  }

  /** The resource's name in the service (`ws-notify:name` metadata), else its logical id. */
  nameOf(id: string): string {
    const name = this.metadata(id, NAME_METADATA_KEY);
    return typeof name === 'string' && name !== '' ? name : id;
  }

  /** A literal string property (an intrinsic is an error: the runtime needs the value now). */
  string(id: string, property: string): string {
    const value = this.optionalString(id, property);
    if (value === undefined) throw this.error(id, 'invalid_template', `${property} is required`);
    return value;
  }

  optionalString(id: string, property: string): string | undefined {
    const value = this.props(id)[property];
    if (value === undefined || typeof value === 'string') return value;
    throw this.error(id, 'unsupported_property', `${property} must be a literal string locally`);
  }

  optionalNumber(id: string, property: string): number | undefined {
    const value = this.props(id)[property];
    if (value === undefined) return undefined;
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      throw this.error(id, 'unsupported_property', `${property} must be a literal number locally`);
    }
    return number;
  }

  /** The logical id a property `Ref`s, which must be a resource of `type`. */
  reference(id: string, property: string, type: string): string {
    const target = refOf(this.props(id)[property]);
    if (target === undefined || !this.isOfType(target, type)) {
      throw this.error(id, 'unresolved_reference', `${property} must be a Ref to an ${type} of this template`);
    }
    return target;
  }

  /** The stack name in the resources' `aws:cdk:path` metadata (`WsNotify-local/…`). */
  stackNameFromMetadata(): string | undefined {
    for (const resource of this.byId.values()) {
      const path = resource.Metadata?.['aws:cdk:path'];
      if (typeof path === 'string' && path.includes('/')) return path.slice(0, path.indexOf('/'));
    }
    return undefined;
  }
}

export function refOf(value: unknown): string | undefined {
  return isRecord(value) && Object.keys(value).length === 1 && typeof value.Ref === 'string' ? value.Ref : undefined;
}

/** `X` of `{ 'Fn::GetAtt': [X, attribute] }` (or `'X.attribute'`). */
export function getAttOf(value: unknown, attribute: string): string | undefined {
  if (!isRecord(value) || Object.keys(value).length !== 1) return undefined;
  const args = value['Fn::GetAtt'];
  if (Array.isArray(args) && args.length === 2 && typeof args[0] === 'string' && args[1] === attribute) return args[0];
  if (typeof args === 'string' && args.endsWith(`.${attribute}`)) return args.slice(0, -attribute.length - 1);
  return undefined;
}

/** The first logical id, anywhere inside `value`, that a `Ref` points to (or whose `Arn` Fn::GetAtt takes) and that `accept`s. */
export function findLogicalId(value: unknown, by: 'Ref' | 'Arn', accept: (logicalId: string) => boolean): string | undefined {
  const id = by === 'Ref' ? refOf(value) : getAttOf(value, 'Arn');
  if (id !== undefined && accept(id)) return id;
  const children = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [];
  for (const child of children) {
    const found = findLogicalId(child, by, accept);
    if (found !== undefined) return found;
  }
  return undefined;
}
