/** Errors of the template reader and the intrinsic resolver: each names the resource (and property) at fault. */

export type StackTemplateErrorCode =
  /** The template is not shaped like a CloudFormation template, or a property has the wrong type. */
  | 'invalid_template'
  /** A resource type the local runtime cannot emulate. */
  | 'unsupported_resource_type'
  /** A property (or value of one) the local runtime cannot honour. */
  | 'unsupported_property'
  /** A reference between resources the runtime cannot follow (e.g. a route whose integration is missing). */
  | 'unresolved_reference'
  /** Something the stack must have is missing (the WebSocket API, its stage, a function's asset metadata). */
  | 'missing_resource';

/** The template cannot be run by the local runtime. The message names the resource and its type. */
export class StackTemplateError extends Error {
  override readonly name = 'StackTemplateError';
  constructor(
    readonly code: StackTemplateErrorCode,
    message: string,
    readonly logicalId?: string,
    readonly resourceType?: string,
    options?: { cause?: unknown },
  ) {
    super(logicalId === undefined ? message : `${logicalId} (${resourceType ?? 'unknown type'}): ${message}`, options);
  }
}

export type IntrinsicErrorCode =
  /** An intrinsic function the resolver does not implement (Fn::ImportValue, Fn::If, …). */
  | 'unsupported_intrinsic'
  /** Ref or Fn::GetAtt (or a `${…}` of Fn::Sub) to a logical id or pseudo parameter the context does not know. */
  | 'unknown_reference'
  /** Fn::GetAtt of an attribute the context does not give for that resource. */
  | 'unknown_attribute'
  /** An intrinsic whose arguments are not shaped as CloudFormation requires. */
  | 'malformed_intrinsic';

/** An intrinsic could not be resolved to a local value. `where` is the path of the value in the template. */
export class IntrinsicResolutionError extends Error {
  override readonly name = 'IntrinsicResolutionError';
  constructor(
    readonly code: IntrinsicErrorCode,
    readonly intrinsic: string,
    readonly where: string,
    detail: string,
  ) {
    super(`${where}: ${intrinsic}: ${detail}`);
  }
}
