/**
 * Reads a synthesized template into the StackModel the local runtime is built from. Every resource
 * type is either read, by the reader of its service (read-api.ts, read-functions.ts, read-tables.ts,
 * read-queues.ts, read-event-source-mappings.ts), or listed in AWS_ONLY_RESOURCE_TYPES. Any other
 * type, or a property the runtime cannot honour, is a StackTemplateError naming the resource: the
 * runtime refuses to start rather than emulate a stack that differs from what would be deployed.
 */
import { type CfnTemplate } from './cfn-template';
import { API_RESOURCE_TYPES, readWebSocketApi } from './read-api';
import { EVENT_SOURCE_MAPPING_RESOURCE_TYPES, readEventSourceMappings } from './read-event-source-mappings';
import { FUNCTION_RESOURCE_TYPES, readFunctions } from './read-functions';
import { QUEUE_RESOURCE_TYPES, readQueues } from './read-queues';
import { readTables, TABLE_RESOURCE_TYPES } from './read-tables';
import { type StackModel } from './stack-model';
import { StackTemplateError } from './template-errors';
import { type ResourceTypeSpec, TemplateResources } from './template-resources';
import { isRecord } from '../is-record';

/** Resource types that only matter on AWS: the local runtime skips them. */
export const AWS_ONLY_RESOURCE_TYPES: readonly string[] = [
  'AWS::CDK::Metadata',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::Logs::LogGroup',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::Lambda::Permission',
  'AWS::SQS::QueuePolicy',
  'AWS::ApiGatewayV2::Deployment',
  'AWS::ApiGateway::Account',
];

/** The resource types the readers read, with the properties each honours. */
const READ_RESOURCE_TYPES: Readonly<Record<string, ResourceTypeSpec>> = {
  ...API_RESOURCE_TYPES,
  ...FUNCTION_RESOURCE_TYPES,
  ...EVENT_SOURCE_MAPPING_RESOURCE_TYPES,
  ...QUEUE_RESOURCE_TYPES,
  ...TABLE_RESOURCE_TYPES,
};

/** Template sections the runtime does not need; `Transform` (macros) cannot be honoured. */
const TEMPLATE_SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Resources', 'Outputs']);

export interface ReadStackTemplateOptions {
  /** @default the stack name in the resources' `aws:cdk:path` metadata, else `'stack'` */
  readonly stackName?: string;
  /** The cloud assembly directory, against which relative asset paths are resolved. */
  readonly assemblyDirectory?: string;
}

/**
 * @example
 * const { stackName, template } = synthesizeStackTemplate({ stage: getStage('local') });
 * const model = readStackTemplate(template, { stackName });
 * model.api.routes; // [{ routeKey: '$connect', functionId: 'Connect', returnResponse: false }, …]
 */
export function readStackTemplate(template: unknown, options: ReadStackTemplateOptions = {}): StackModel {
  const checked = checkTemplate(template);
  const resources = new TemplateResources(checked.Resources, Object.keys(READ_RESOURCE_TYPES));
  return {
    stackName: options.stackName ?? resources.stackNameFromMetadata() ?? 'stack',
    functions: readFunctions(resources, options.assemblyDirectory),
    tables: readTables(resources),
    queues: readQueues(resources),
    eventSourceMappings: readEventSourceMappings(resources),
    api: readWebSocketApi(resources),
  };
}

/**
 * The template, once every resource is of a type that is read or AWS-only, unconditional, with a Type,
 * Properties and Metadata objects and only properties the runtime honours.
 */
function checkTemplate(template: unknown): CfnTemplate {
  if (!isRecord(template) || !isRecord(template.Resources)) {
    throw new StackTemplateError('invalid_template', 'not a CloudFormation template: no Resources');
  }
  for (const section of Object.keys(template)) {
    if (!TEMPLATE_SECTIONS.has(section)) {
      throw new StackTemplateError('unsupported_property', `template section ${section} cannot be honoured locally`);
    }
  }
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (!isRecord(resource) || typeof resource.Type !== 'string') {
      throw new StackTemplateError('invalid_template', 'a resource needs a Type', logicalId);
    }
    if (resource.Properties !== undefined && !isRecord(resource.Properties)) {
      throw new StackTemplateError('invalid_template', 'Properties must be an object', logicalId, resource.Type);
    }
    if (resource.Metadata !== undefined && !isRecord(resource.Metadata)) {
      throw new StackTemplateError('invalid_template', 'Metadata must be an object', logicalId, resource.Type);
    }
    if (AWS_ONLY_RESOURCE_TYPES.includes(resource.Type)) continue;
    const spec = READ_RESOURCE_TYPES[resource.Type];
    if (spec === undefined) {
      throw new StackTemplateError('unsupported_resource_type', 'the local runtime cannot emulate this resource type', logicalId, resource.Type);
    }
    if (resource.Condition !== undefined) {
      throw new StackTemplateError('unsupported_property', `Condition ${resource.Condition as string}: conditions are not evaluated locally`, logicalId, resource.Type);
    }
    for (const property of Object.keys(resource.Properties ?? {})) {
      if (!spec.read.includes(property) && !spec.awsOnly.includes(property)) {
        throw new StackTemplateError('unsupported_property', `property ${property} cannot be honoured locally`, logicalId, resource.Type);
      }
    }
  }
  return template as unknown as CfnTemplate;
}
