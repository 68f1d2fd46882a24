import { ForbiddenException, GetConnectionCommand, GoneException } from '@aws-sdk/client-apigatewaymanagementapi';
import { DeleteItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { checkConnectionLimit } from '../../../src/handlers/connection-limit';
import { connectionStore, dynamo, gatewayClient, management, resetMocks } from '../helpers/aws';
import { captureLogs, silentLogger, type CapturedLogs } from '../helpers/logs';
import { indexItem } from '../helpers/records';

const NOW = Date.UTC(2025, 11, 13, 10, 30);
const NOW_SECONDS = Math.floor(NOW / 1000);
const MAX = 3;

/** The user index answers with these connections of user u1 (authorized, unexpired unless told). */
function givenConnections(ids: readonly string[], expired: readonly string[] = []): void {
  dynamo.on(QueryCommand).resolves({
    Items: [...ids, ...expired].map((id) => indexItem(id, 'u1', expired.includes(id) ? NOW_SECONDS - 1 : NOW_SECONDS + 600, NOW_SECONDS + 8000)),
  });
}

const gone = () => new GoneException({ message: 'Gone', $metadata: {} });
const deletedRecords = () => dynamo.commandCalls(DeleteItemCommand).map((call) => call.args[0].input.Key?.connectionId?.S);

describe('Function: checkConnectionLimit', () => {
  const deps = () => ({ connections: connectionStore(), gateway: gatewayClient(), logger: silentLogger() });

  beforeEach(() => {
    dynamo.on(DeleteItemCommand).resolves({});
    management.on(GetConnectionCommand).resolves({});
  });

  afterEach(() => {
    resetMocks();
  });

  it('allows a user under the limit without asking the Management API', async () => {
    givenConnections(['c1', 'c2']);

    await expect(checkConnectionLimit('u1', MAX, deps(), NOW)).resolves.toEqual({ allowed: true, open: 2 });
    expect(management.commandCalls(GetConnectionCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({ IndexName: 'byUser', ExpressionAttributeValues: { ':userId': { S: 'u1' } } });
  });

  it('does not count connections whose token has expired', async () => {
    givenConnections(['c1', 'c2'], ['old1', 'old2']);

    await expect(checkConnectionLimit('u1', MAX, deps(), NOW)).resolves.toEqual({ allowed: true, open: 2 });
  });

  it('refuses a user at the limit whose connections are all open, and deletes nothing', async () => {
    givenConnections(['c1', 'c2', 'c3']);

    await expect(checkConnectionLimit('u1', MAX, deps(), NOW)).resolves.toEqual({ allowed: false, open: 3 });
    expect(management.commandCalls(GetConnectionCommand).map((call) => call.args[0].input.ConnectionId).sort()).toEqual(['c1', 'c2', 'c3']);
    expect(deletedRecords()).toEqual([]);
  });

  it('does not let a record whose $disconnect never arrived lock the user out: 410 deletes it and it does not count', async () => {
    // Prepare
    givenConnections(['c1', 'stale', 'c3']);
    management.on(GetConnectionCommand, { ConnectionId: 'stale' }).rejects(gone());

    // Act
    const check = await checkConnectionLimit('u1', MAX, deps(), NOW);

    // Assess
    expect(check).toEqual({ allowed: true, open: 2 });
    expect(deletedRecords()).toEqual(['stale']);
  });

  it('counts a connection it could not check (fails closed) and logs why', async () => {
    // Prepare
    const logs: CapturedLogs = captureLogs();
    givenConnections(['c1', 'c2', 'c3']);
    management.on(GetConnectionCommand, { ConnectionId: 'c2' }).rejects(new ForbiddenException({ message: 'Forbidden', $metadata: {} }));

    // Act
    let check;
    try {
      check = await checkConnectionLimit('u1', MAX, { ...deps(), logger: logs.logger }, NOW);
    } finally {
      logs.restore();
    }

    // Assess
    expect(check).toEqual({ allowed: false, open: 3 });
    expect(logs.entries()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'Connection limit: could not check a connection, it still counts', connectionId: 'c2' }));
  });
});
