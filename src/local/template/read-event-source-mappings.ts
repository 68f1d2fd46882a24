/** Reads the template's SQS event source mappings: which function polls which queue, and how. */
import { type EventSourceMappingModel, type StackModel } from './stack-model';
import { findLogicalId, getAttOf, refOf, type ResourceTypeSpec, type TemplateResources } from './template-resources';
import { isRecord } from '../is-record';

const MAPPING = 'AWS::Lambda::EventSourceMapping';

export const EVENT_SOURCE_MAPPING_RESOURCE_TYPES: Readonly<Record<string, ResourceTypeSpec>> = {
  [MAPPING]: {
    read: ['FunctionName', 'EventSourceArn', 'BatchSize', 'MaximumBatchingWindowInSeconds', 'FunctionResponseTypes', 'ScalingConfig', 'Enabled'],
    awsOnly: ['Tags', 'MetricsConfig'],
  },
};

/** Lambda's default batch size for SQS. */
const DEFAULT_SQS_BATCH_SIZE = 10;

/** Every enabled mapping of the template (a disabled mapping polls nothing, here as on AWS). */
export function readEventSourceMappings(resources: TemplateResources): EventSourceMappingModel[] {
  return resources.ids(MAPPING).flatMap((id) => readEventSourceMapping(resources, id) ?? []);
}

function readEventSourceMapping(resources: TemplateResources, id: string): EventSourceMappingModel | undefined {
  const props = resources.props(id);
  if (props.Enabled === false) return undefined;
  const isFunction = (logicalId: string) => resources.isOfType(logicalId, 'AWS::Lambda::Function');
  const functionId = refOf(props.FunctionName) ?? findLogicalId(props.FunctionName, 'Arn', isFunction);
  if (functionId === undefined || !isFunction(functionId)) {
    throw resources.error(id, 'unresolved_reference', 'FunctionName must be a Ref (or Arn) of a function of this template');
  }
  const queueId = getAttOf(props.EventSourceArn, 'Arn');
  if (queueId === undefined || !resources.isOfType(queueId, 'AWS::SQS::Queue')) {
    throw resources.error(id, 'unsupported_property', 'EventSourceArn must be the Arn of an SQS queue of this template');
  }
  const responseTypes = props.FunctionResponseTypes ?? [];
  if (!Array.isArray(responseTypes) || responseTypes.some((value) => value !== 'ReportBatchItemFailures')) {
    throw resources.error(id, 'unsupported_property', 'FunctionResponseTypes may only hold ReportBatchItemFailures');
  }
  const scaling = props.ScalingConfig ?? {};
  if (!isRecord(scaling) || Object.keys(scaling).some((key) => key !== 'MaximumConcurrency') || !['number', 'undefined'].includes(typeof scaling.MaximumConcurrency)) {
    throw resources.error(id, 'unsupported_property', 'ScalingConfig may only set MaximumConcurrency (a number)');
  }
  return {
    logicalId: id,
    functionId: resources.nameOf(functionId),
    queueId,
    batchSize: resources.optionalNumber(id, 'BatchSize') ?? DEFAULT_SQS_BATCH_SIZE,
    maximumBatchingWindowSeconds: resources.optionalNumber(id, 'MaximumBatchingWindowInSeconds') ?? 0,
    reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
    maximumConcurrency: scaling.MaximumConcurrency as number | undefined,
  };
}

/**
 * What Lambda's CreateEventSourceMapping refuses: a queue whose visibility timeout (the template's,
 * or the override of every queue's) is shorter than its consumer's timeout, one line per mapping.
 * Locally a warning, as tests shorten the timeout on purpose.
 */
export function shortVisibilityTimeouts(model: StackModel, visibilityTimeoutSeconds?: number): string[] {
  return model.eventSourceMappings.flatMap((mapping) => {
    const queue = model.queues[mapping.queueId];
    const fn = model.functions[mapping.functionId];
    if (queue === undefined || fn === undefined) return [];
    const visibility = visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds;
    if (visibility >= fn.timeoutSeconds) return [];
    return [
      `the visibility timeout of queue ${queue.name} (${visibility} s) is shorter than the timeout of its consumer ${mapping.functionId} (${fn.timeoutSeconds} s), which AWS refuses: a batch that runs longer is received again while it still runs`,
    ];
  });
}
