/** Reads the template's SQS queues: name, visibility timeout, delay, retention and redrive to a DLQ. */
import { type QueueModel } from './stack-model';
import { getAttOf, type ResourceTypeSpec, type TemplateResources } from './template-resources';
import { isRecord } from '../is-record';

const QUEUE = 'AWS::SQS::Queue';

export const QUEUE_RESOURCE_TYPES: Readonly<Record<string, ResourceTypeSpec>> = {
  [QUEUE]: {
    read: ['QueueName', 'VisibilityTimeout', 'DelaySeconds', 'MessageRetentionPeriod', 'RedrivePolicy'],
    awsOnly: ['SqsManagedSseEnabled', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'Tags', 'RedriveAllowPolicy'],
  },
};

/** SQS's default visibility timeout. */
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

export function readQueues(resources: TemplateResources): Record<string, QueueModel> {
  const queues: Record<string, QueueModel> = {};
  for (const id of resources.ids(QUEUE)) queues[id] = readQueue(resources, id);
  return queues;
}

function readQueue(resources: TemplateResources, id: string): QueueModel {
  const props = resources.props(id);
  let redrive: QueueModel['redrive'];
  if (props.RedrivePolicy !== undefined) {
    let policy: unknown = props.RedrivePolicy;
    if (typeof policy === 'string') {
      try {
        policy = JSON.parse(policy);
      } catch (error) {
        throw resources.error(id, 'invalid_template', 'RedrivePolicy is not valid JSON', { cause: error });
      }
    }
    const deadLetterQueueId = isRecord(policy) ? getAttOf(policy.deadLetterTargetArn, 'Arn') : undefined;
    if (!isRecord(policy) || deadLetterQueueId === undefined || !resources.isOfType(deadLetterQueueId, QUEUE)) {
      throw resources.error(id, 'unsupported_property', 'RedrivePolicy.deadLetterTargetArn must be the Arn of a queue of this template');
    }
    const maxReceiveCount = Number(policy.maxReceiveCount);
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) {
      throw resources.error(id, 'invalid_template', 'RedrivePolicy.maxReceiveCount must be a positive whole number');
    }
    redrive = { deadLetterQueueId, maxReceiveCount };
  }
  return {
    logicalId: id,
    name: resources.nameOf(id),
    queueName: resources.optionalString(id, 'QueueName'),
    visibilityTimeoutSeconds: resources.optionalNumber(id, 'VisibilityTimeout') ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
    delaySeconds: resources.optionalNumber(id, 'DelaySeconds') ?? 0,
    messageRetentionSeconds: resources.optionalNumber(id, 'MessageRetentionPeriod'),
    redrive,
  };
}
