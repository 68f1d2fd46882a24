import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { handleDisconnect } from '../../../src/handlers/disconnect';
import { connectionStore, dynamo, resetMocks, TABLE_NAME } from '../helpers/aws';
import { CONNECTION_ID, disconnectEvent } from '../helpers/events';
import { captureLogs, silentLogger } from '../helpers/logs';
import { like } from '../helpers/matchers';
import { counts, testMetrics } from '../helpers/metrics';

describe('Function: handleDisconnect', () => {
  afterEach(() => {
    resetMocks();
  });

  it('deletes the connection record and counts the connection closed', async () => {
    dynamo.on(DeleteItemCommand).resolves({});
    const metrics = testMetrics();

    const result = await handleDisconnect(disconnectEvent(), { connections: connectionStore(), logger: silentLogger(), metrics });

    expect(result).toEqual({ statusCode: 200 });
    expect(dynamo.commandCalls(DeleteItemCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE_NAME,
      Key: { connectionId: { S: CONNECTION_ID } },
    });
    expect(counts(metrics)).toEqual({ ConnectionsClosed: 1 });
  });

  it('logs the failure and answers 500 when the record cannot be deleted; the connection still counts as closed', async () => {
    dynamo.on(DeleteItemCommand).rejects(new Error('down'));
    const metrics = testMetrics();
    const logs = captureLogs();
    try {
      const result = await handleDisconnect(disconnectEvent(), { connections: connectionStore(), logger: logs.logger, metrics });

      expect(result).toEqual({ statusCode: 500 });
      expect(logs.entries()).toEqual([
        expect.objectContaining({ level: 'ERROR', connectionId: CONNECTION_ID, error: like({ name: 'ConnectionStoreError' }) }),
      ]);
      expect(counts(metrics)).toEqual({ ConnectionsClosed: 1 });
    } finally {
      logs.restore();
    }
  });
});
