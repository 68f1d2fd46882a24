/** Errors of the template reader and the intrinsic resolver: each names the resource (and property) at fault. */

/**
 * `invalid_template`: not shaped like a CloudFormation template, or a property of the wrong type;
 * `unsupported_resource_type`, `unsupported_property`: what the local runtime cannot emulate or honour;
 * `unresolved_reference`: a reference it cannot follow (a route whose integration is missing);
 * `missing_resource`: what the stack must have (the WebSocket API, its stage, a function's asset metadata);
 * `unreadable_template`: a `--template` file that cannot be read, is not JSON, or is not named as cdk synth names a template;
 * `other_stage`: a `--template` file of another stage or auth mode, or synthesized with another key of the stage.
 */
export type StackTemplateErrorCode =
  | 'invalid_template'
  | 'unsupported_resource_type'
  | 'unsupported_property'
  | 'unresolved_reference'
  | 'missing_resource'
  | 'unreadable_template'
  | 'other_stage';

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

/**
 * `unsupported_intrinsic`: one the resolver does not implement (Fn::ImportValue, Fn::If, …);
 * `unknown_reference`, `unknown_attribute`: a logical id, pseudo parameter or attribute with no local value;
 * `malformed_intrinsic`: arguments not shaped as CloudFormation requires.
 */
export type IntrinsicErrorCode = 'unsupported_intrinsic' | 'unknown_reference' | 'unknown_attribute' | 'malformed_intrinsic';

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
