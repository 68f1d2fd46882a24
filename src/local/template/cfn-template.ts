/** The parts of a synthesized CloudFormation template (JSON) that the local runtime reads. */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly Condition?: string;
  readonly DependsOn?: string | readonly string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Description?: string;
  readonly Export?: unknown;
  readonly Condition?: string;
}

export interface CfnTemplate {
  readonly AWSTemplateFormatVersion?: string;
  readonly Description?: string;
  readonly Transform?: unknown;
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly Conditions?: Readonly<Record<string, unknown>>;
  readonly Rules?: Readonly<Record<string, unknown>>;
  readonly Mappings?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, CfnOutput>>;
}
