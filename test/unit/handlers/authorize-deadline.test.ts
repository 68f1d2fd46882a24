import { DeleteConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DeleteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createAuthorizeDeadlineHandler } from '../../../src/handlers/authorize-deadline';
import {
  connectionStore,
  deadLetterQueue,
  dynamo,
  gatewayClient,
  management,
  NO_SIDE_EFFECTS,
  postedFrames,
  resetMocks,
  sideEffectCalls,
  sqs,
} from '../helpers/aws';
import { sqsEvent, sqsRecord } from '../helpers/events';
import { silentLogger } from '../helpers/logs';
import { authorizedRecord, item, pendingRecord } from '../helpers/records';

const NOW = Date.UTC(2025, 11, 13, 10, 30);

function consumer() {
  return createAuthorizeDeadlineHandler({
    connections: connectionStore(),
    gateway: gatewayClient(),
    deadLetterQueue: deadLetterQueue(),
    logger: silentLogger(),
    clock: () => NOW,
  });
}

const deadline = (connectionId: string) => sqsRecord(JSON.stringify({ connectionId }));

describe('Function: createAuthorizeDeadlineHandler', () => {
  beforeEach(() => {
    management.on(PostToConnectionCommand).resolves({});
    management.on(DeleteConnectionCommand).resolves({});
    dynamo.on(DeleteItemCommand).resolves({});
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-message' });
  });

  afterEach(() => {
    resetMocks();
  });

  it('sends authorization_timeout to a connection still pending, then closes it', async () => {
    // Prepare
    dynamo.on(GetItemCommand).resolves({ Item: item(pendingRecord('c1', NOW - 30_000)) });
    const order: string[] = [];
    management.on(PostToConnectionCommand).callsFake(() => {
      order.push('post');
      return {};
    });
    management.on(DeleteConnectionCommand).callsFake(() => {
      order.push('delete');
      return {};
    });

    // Act
    const response = await consumer()(sqsEvent([deadline('c1')]));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(postedFrames()).toEqual([
      { connectionId: 'c1', frame: { type: 'error', code: 'authorization_timeout', message: expect.any(String) as unknown } },
    ]);
    expect(order).toEqual(['post', 'delete']);
  });

  it.each([
    ['authorized', { Item: item(authorizedRecord('c1')) }],
    ['absent', {}],
  ])('does nothing for a connection that is %s', async (_label, output) => {
    dynamo.on(GetItemCommand).resolves(output);

    await expect(consumer()(sqsEvent([deadline('c1')]))).resolves.toEqual({ batchItemFailures: [] });
    expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
  });

  it('deletes the record when the connection is already gone (410 on post)', async () => {
    dynamo.on(GetItemCommand).resolves({ Item: item(pendingRecord('c1', NOW)) });
    management.on(PostToConnectionCommand).rejects(new GoneException({ message: 'Gone', $metadata: {} }));

    await expect(consumer()(sqsEvent([deadline('c1')]))).resolves.toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(DeleteItemCommand)[0]?.args[0].input.Key).toEqual({ connectionId: { S: 'c1' } });
    expect(management.commandCalls(DeleteConnectionCommand)).toHaveLength(0);
  });

  it('deletes the record when the connection disappears between post and delete', async () => {
    dynamo.on(GetItemCommand).resolves({ Item: item(pendingRecord('c1', NOW)) });
    management.on(DeleteConnectionCommand).rejects(new GoneException({ message: 'Gone', $metadata: {} }));

    await expect(consumer()(sqsEvent([deadline('c1')]))).resolves.toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });

  it('retries on a transient failure', async () => {
    dynamo.on(GetItemCommand).resolves({ Item: item(pendingRecord('c1', NOW)) });
    management.on(PostToConnectionCommand).rejects(new Error('socket hang up'));
    const record = deadline('c1');

    await expect(consumer()(sqsEvent([record]))).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });

  it('sends an invalid body to the DLQ', async () => {
    const record = sqsRecord('{"connection":"c1"}');

    await expect(consumer()(sqsEvent([record]))).resolves.toEqual({ batchItemFailures: [] });
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageAttributes?.reason?.StringValue).toBe('invalid_body');
  });
});
