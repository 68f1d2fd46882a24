import { DeleteConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
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
/** The same deadline message delivered again (an earlier delivery failed). */
const redelivered = (connectionId: string) => {
  const record = deadline(connectionId);
  return { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } };
};
const gone = () => new GoneException({ message: 'Gone', $metadata: {} });
/** What DynamoDB answers a conditional delete of a record that is no longer pending. */
const notPendingAnymore = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

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

  it('deletes the record while it is still pending, then sends authorization_timeout and closes the connection', async () => {
    // Prepare
    dynamo.on(GetItemCommand).resolves({ Item: item(pendingRecord('c1', NOW - 30_000)) });
    const order: string[] = [];
    dynamo.on(DeleteItemCommand).callsFake(() => {
      order.push('delete record');
      return {};
    });
    management.on(PostToConnectionCommand).callsFake(() => {
      order.push('post');
      return {};
    });
    management.on(DeleteConnectionCommand).callsFake(() => {
      order.push('close');
      return {};
    });

    // Act
    const response = await consumer()(sqsEvent([deadline('c1')]));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(order).toEqual(['delete record', 'post', 'close']);
    expect(dynamo.commandCalls(DeleteItemCommand)[0]?.args[0].input).toEqual({
      TableName: expect.any(String) as unknown,
      Key: { connectionId: { S: 'c1' } },
      ConditionExpression: '#state = :pending',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':pending': { S: 'pending' } },
    });
    expect(postedFrames()).toEqual([
      { connectionId: 'c1', frame: { type: 'error', code: 'authorization_timeout', message: expect.any(String) as unknown } },
    ]);
  });

  it('never closes a connection that authorizes between the read and the close', async () => {
    // Prepare: the deadline reads the record while it is pending; the client's authorize lands
    // right after, so the conditional delete finds the record authorized.
    dynamo.on(GetItemCommand).resolves({ Item: item(pendingRecord('c1', NOW - 30_000)) });
    dynamo.on(DeleteItemCommand).rejects(notPendingAnymore());

    // Act
    const response = await consumer()(sqsEvent([deadline('c1')]));

    // Assess: no frame, no close; the record (now authorized) was not deleted.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(management.commandCalls(PostToConnectionCommand)).toHaveLength(0);
    expect(management.commandCalls(DeleteConnectionCommand)).toHaveLength(0);
  });

  it.each([
    ['authorized', { Item: item(authorizedRecord('c1')) }],
    ['absent', {}],
  ])('does nothing for a connection that is %s at the first delivery', async (_label, output) => {
    dynamo.on(GetItemCommand).resolves(output);

    await expect(consumer()(sqsEvent([deadline('c1')]))).resolves.toEqual({ batchItemFailures: [] });
    expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
  });

  it('closes the connection on a redelivery that finds the record already deleted (an earlier delivery failed after deleting it)', async () => {
    dynamo.on(GetItemCommand).resolves({});

    await expect(consumer()(sqsEvent([redelivered('c1')]))).resolves.toEqual({ batchItemFailures: [] });
    expect(postedFrames()).toEqual([
      { connectionId: 'c1', frame: { type: 'error', code: 'authorization_timeout', message: expect.any(String) as unknown } },
    ]);
    expect(management.commandCalls(DeleteConnectionCommand)).toHaveLength(1);
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('leaves a redelivered deadline of an authorized connection alone', async () => {
    dynamo.on(GetItemCommand).resolves({ Item: item(authorizedRecord('c1')) });

    await expect(consumer()(sqsEvent([redelivered('c1')]))).resolves.toEqual({ batchItemFailures: [] });
    expect(sideEffectCalls()).toEqual(NO_SIDE_EFFECTS);
  });

  it('is done when the connection is already gone (410 on post): the record was deleted before', async () => {
    dynamo.on(GetItemCommand).resolves({ Item: item(pendingRecord('c1', NOW)) });
    management.on(PostToConnectionCommand).rejects(gone());

    await expect(consumer()(sqsEvent([deadline('c1')]))).resolves.toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(1);
    expect(management.commandCalls(DeleteConnectionCommand)).toHaveLength(0);
  });

  it('is done when the connection disappears between post and close', async () => {
    dynamo.on(GetItemCommand).resolves({ Item: item(pendingRecord('c1', NOW)) });
    management.on(DeleteConnectionCommand).rejects(gone());

    await expect(consumer()(sqsEvent([deadline('c1')]))).resolves.toEqual({ batchItemFailures: [] });
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });

  it('retries when the close fails after the record is deleted, and the retry closes the connection', async () => {
    // Prepare: the first delivery deletes the record, then DeleteConnection fails.
    dynamo.on(GetItemCommand).resolvesOnce({ Item: item(pendingRecord('c1', NOW)) }).resolves({});
    management.on(DeleteConnectionCommand).rejectsOnce(new Error('socket hang up')).resolves({});
    const first = deadline('c1');

    // Act
    const firstResponse = await consumer()(sqsEvent([first]));
    const retryResponse = await consumer()(sqsEvent([{ ...first, attributes: { ...first.attributes, ApproximateReceiveCount: '2' } }]));

    // Assess
    expect(firstResponse).toEqual({ batchItemFailures: [{ itemIdentifier: first.messageId }] });
    expect(retryResponse).toEqual({ batchItemFailures: [] });
    expect(management.commandCalls(DeleteConnectionCommand)).toHaveLength(2);
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
