/** The parts of a synthesized CloudFormation template (JSON) that the local runtime reads. */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly Condition?: string;
}

export interface CfnTemplate {
  readonly Description?: string;
  readonly Resources: Readonly<Record<string, CfnResource>>;
}
