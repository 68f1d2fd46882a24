import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type CfnQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NAME_METADATA_KEY } from '../template-metadata';

/** Receives after which a message moves to the DLQ. */
export const MAX_RECEIVE_COUNT = 5;
/** What SQS and Lambda ask of a mapped queue: a visibility timeout of at least 6× its consumer's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export interface NotifyQueueProps {
  /** The queue's name in the service: `NotifyUser`; its DLQ is `NotifyUserDeadLetter`. */
  readonly queueName: string;
  /** At least VISIBILITY_TIMEOUT_FACTOR × the consumer's timeout (checked by NotifyFunction.consume). */
  readonly visibilityTimeout: Duration;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A work queue and its dead-letter queue (`<name>DeadLetter`, maxReceiveCount 5, 14 days of
 * retention), both SSE-SQS encrypted and TLS-only. Each queue's name in the service is its
 * `ws-notify:name` metadata. The DLQ's alarm is with the service's other alarms (ServiceAlarms).
 */
export class NotifyQueue extends Construct {
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly visibilityTimeout: Duration;

  constructor(scope: Construct, id: string, props: NotifyQueueProps) {
    super(scope, id);
    this.queueName = props.queueName;
    this.deadLetterQueueName = `${props.queueName}DeadLetter`;
    this.visibilityTimeout = props.visibilityTimeout;

    const both = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, removalPolicy: props.removalPolicy };
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', { ...both, retentionPeriod: Duration.days(14) });
    this.queue = new Queue(this, 'Queue', {
      ...both,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    (this.queue.node.defaultChild as CfnQueue).addMetadata(NAME_METADATA_KEY, this.queueName);
    (this.deadLetterQueue.node.defaultChild as CfnQueue).addMetadata(NAME_METADATA_KEY, this.deadLetterQueueName);
  }
}
