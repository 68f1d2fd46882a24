import { CfnOutput, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type CfnQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUE_NAME_METADATA_KEY } from '../template-metadata';
import { queueUrlOutputName } from '../stack-outputs';


/** Receives after which a message moves to the DLQ (SPEC §4). */
export const MAX_RECEIVE_COUNT = 5;

export interface NotifyQueueProps {
  /** The queue's logical name: `NotifyUser`; its DLQ is `NotifyUserDeadLetter`. */
  readonly queueName: string;
  /** At least 6× the consumer's timeout (checked by NotifyFunction.consume). */
  readonly visibilityTimeout: Duration;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A work queue and its dead-letter queue (`<name>DeadLetter`, maxReceiveCount 5, 14 days of
 * retention), both SSE-SQS encrypted and TLS-only, an alarm as soon as the DLQ holds a message,
 * and a stack output with each URL. Logical ids are `<name>Queue` and `<name>DeadLetterQueue`.
 */
export class NotifyQueue extends Construct {
  readonly queueName: string;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly visibilityTimeout: Duration;

  constructor(scope: Construct, id: string, props: NotifyQueueProps) {
    super(scope, id);
    const queueName = props.queueName;
    this.queueName = queueName;
    this.visibilityTimeout = props.visibilityTimeout;
    const deadLetterName = `${queueName}DeadLetter`;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    });
    this.queue = new Queue(this, 'Queue', {
      visibilityTimeout: props.visibilityTimeout,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    name(this.queue, queueName);
    name(this.deadLetterQueue, deadLetterName);

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `ws-notify: messages in the ${deadLetterName} queue (failed ${MAX_RECEIVE_COUNT} times or refused by the ${queueName} consumer)`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    new CfnOutput(this, 'QueueUrl', { key: queueUrlOutputName(queueName), value: this.queue.queueUrl, description: `${queueName} queue URL` });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      key: queueUrlOutputName(deadLetterName),
      value: this.deadLetterQueue.queueUrl,
      description: `${deadLetterName} queue URL`,
    });
  }
}

function name(queue: Queue, queueName: string): void {
  const cfn = queue.node.defaultChild as CfnQueue;
  cfn.overrideLogicalId(`${queueName}Queue`);
  cfn.addMetadata(QUEUE_NAME_METADATA_KEY, queueName);
}
