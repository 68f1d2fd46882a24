import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ConnectionsTable } from '../../infra/constructs/service-tables';
import { NotifyFunction } from '../../infra/constructs/notify-function';
import { NotifyQueue } from '../../infra/constructs/notify-queue';
import { ensureFunctionBundles } from '../../src/tooling/function-bundles';
import { type CfnJson, render, serviceView } from './helpers/stack-template';

function testStack(): Stack {
  return new Stack(new App({ builtinCloudFormationValidation: false }), 'Test');
}

function notifyFunction(stack: Stack, timeout = Duration.seconds(10)): NotifyFunction {
  return new NotifyFunction(stack, 'WorkerFunction', {
    name: 'Worker',
    code: 'ping',
    stageName: 'dev',
    logLevel: 'INFO',
    removalPolicy: RemovalPolicy.DESTROY,
    logRetention: RetentionDays.ONE_MONTH,
    timeout,
  });
}

/** The stack's template with the service's resources under their names (`WorkQueue`, `ConnectionsTable`, `Worker`). */
function templateOf(stack: Stack): Template {
  return Template.fromJSON(serviceView(Template.fromStack(stack).toJSON() as CfnJson));
}

function grants(stack: Stack): string[] {
  const policies = templateOf(stack).findResources('AWS::IAM::Policy') as Record<string, { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }>;
  return Object.values(policies).flatMap((policy) =>
    policy.Properties.PolicyDocument.Statement.flatMap((statement) =>
      (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).map((action) => `${action} on ${render(statement.Resource)}`),
    ),
  );
}

describe('Class: NotifyFunction', () => {
  beforeAll(() => {
    ensureFunctionBundles();
  });

  describe('Method: bindTable', () => {
    it('grants the actions on the index only when an index is given, and names it in the environment', () => {
      // Prepare
      const stack = testStack();
      const { table } = new ConnectionsTable(stack, 'Connections', { removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false });

      // Act
      notifyFunction(stack).bindTable({ table, env: 'TABLE', actions: ['Query', 'Query'], index: { name: 'byUser', env: 'INDEX' } });

      // Assess
      expect(grants(stack)).toContain('dynamodb:Query on <ConnectionsTable.Arn>/index/byUser');
      expect(grants(stack).filter((grant) => grant.startsWith('dynamodb:'))).toEqual(['dynamodb:Query on <ConnectionsTable.Arn>/index/byUser']);
      templateOf(stack).hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { TABLE: { Ref: 'ConnectionsTable' }, INDEX: 'byUser' } },
      });
    });

    it('refuses a binding with no action', () => {
      // Prepare
      const stack = testStack();
      const { table } = new ConnectionsTable(stack, 'Connections', { removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false });

      // Act & Assess
      expect(() => notifyFunction(stack).bindTable({ table, env: 'TABLE', actions: [] })).toThrow('Test/WorkerFunction: bindTable needs at least one action');
    });
  });

  describe('Property: timeout', () => {
    it('fails synthesis when the timeout is not longer than the longest AWS SDK call', () => {
      // Prepare
      const stack = testStack();

      // Act
      notifyFunction(stack, Duration.seconds(9));

      // Assess
      expect(() => Template.fromStack(stack)).toThrow(/function Worker has a timeout of 9000 ms, not more than the 9000 ms an AWS SDK call may take/);
    });
  });

  describe('Method: consume', () => {
    it('fails synthesis when the queue visibility timeout is under 6 times the function timeout', () => {
      // Prepare
      const stack = testStack();
      const queue = new NotifyQueue(stack, 'WorkQueues', { queueName: 'Work', visibilityTimeout: Duration.seconds(59), removalPolicy: RemovalPolicy.DESTROY });

      // Act
      notifyFunction(stack, Duration.seconds(10)).consume(queue, { batchSize: 10 });

      // Assess
      expect(() => Template.fromStack(stack)).toThrow(/visibility timeout of 59s, less than 6× the 10s timeout of its consumer/);
    });

    it('maps the queue with ReportBatchItemFailures and the given batch size and concurrency, and gives the DLQ URL', () => {
      // Prepare
      const stack = testStack();
      const queue = new NotifyQueue(stack, 'WorkQueues', { queueName: 'Work', visibilityTimeout: Duration.seconds(60), removalPolicy: RemovalPolicy.DESTROY });

      // Act
      notifyFunction(stack).consume(queue, { batchSize: 25, maxConcurrency: 5 });

      // Assess
      const template = templateOf(stack);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 25,
        ScalingConfig: { MaximumConcurrency: 5 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { DEAD_LETTER_QUEUE_URL: { Ref: 'WorkDeadLetterQueue' } } } });
      expect(grants(stack)).toEqual(
        expect.arrayContaining(['sqs:ReceiveMessage on <WorkQueue.Arn>', 'sqs:DeleteMessage on <WorkQueue.Arn>', 'sqs:GetQueueAttributes on <WorkQueue.Arn>', 'sqs:SendMessage on <WorkDeadLetterQueue.Arn>']),
      );
    });
  });
});
