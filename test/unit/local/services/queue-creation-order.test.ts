import { creationOrder } from '../../../../src/local/services/embedded-sqs';
import { EmbeddedServiceError } from '../../../../src/local/services/service-errors';
import type { QueueModel } from '../../../../src/local/template/stack-model';

function queueFactory(logicalId: string, deadLetterQueueId?: string): QueueModel {
  return {
    logicalId,
    name: logicalId,
    visibilityTimeoutSeconds: 30,
    delaySeconds: 0,
    ...(deadLetterQueueId !== undefined ? { redrive: { deadLetterQueueId, maxReceiveCount: 5 } } : {}),
  };
}

describe('Function: creationOrder', () => {
  it('puts every dead-letter queue before the queues that redrive to it, keeping the rest in order', () => {
    // Prepare
    const queues = [queueFactory('NotifyUser', 'NotifyUserDlq'), queueFactory('Plain'), queueFactory('NotifyUserDlq'), queueFactory('Deadline', 'DeadlineDlq'), queueFactory('DeadlineDlq')];

    // Act
    const order = creationOrder(queues).map((queue) => queue.logicalId);

    // Assess
    expect(order).toEqual(['NotifyUserDlq', 'NotifyUser', 'Plain', 'DeadlineDlq', 'Deadline']);
  });

  it('refuses a redrive to a queue that is not in the stack', () => {
    // Act & Assess
    expect(() => creationOrder([queueFactory('A', 'Missing')])).toThrow(new EmbeddedServiceError('setup_failed', 'queue A: dead-letter queue Missing is not in the stack'));
  });

  it('refuses redrive policies that form a cycle', () => {
    // Act & Assess
    expect(() => creationOrder([queueFactory('A', 'B'), queueFactory('B', 'A')])).toThrow(/form a cycle/);
  });
});
