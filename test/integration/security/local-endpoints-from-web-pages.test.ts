/**
 * The local stack's endpoints from a web page, on one stack in mode authorizer: the Management API
 * (`/<stage>/@connections/{id}` on the gateway's port) and the embedded DynamoDB and SQS.
 *
 * On AWS the Management API needs a SigV4 signature, so a page in a browser cannot use it. The
 * local one accepts unsigned requests (curl, scripts); without a guard, any site open in the
 * developer's browser could send frames to (a "simple" cross-site POST needs no preflight) or
 * close the connections of the local stack.
 *
 * The embedded DynamoDB and SQS listen on 127.0.0.1 at well-known ports with predictable table and
 * queue names. A web page open in the developer's browser can reach them: the SQS query protocol
 * takes a form-encoded POST (a "simple" request: no CORS preflight), and dynalite answers every
 * preflight with `Access-Control-Allow-Origin: *`. Unguarded, any site could send notifications to
 * local users, or read the connections table and rewrite who a connection belongs to. On AWS
 * neither is reachable without a SigV4 signature.
 *
 * Browsers mark their requests with `Origin` (and `Sec-Fetch-Site`); the SDK clients and the AWS
 * CLI never do, and sign theirs. Each test opens its own connections as its own users.
 */
import { request } from 'node:http';
import { DeleteConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { eventually, frame, startTestStack, type TestStack } from '../../helpers/local-stack';

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ stage: 'local', authMode: 'authorizer', endpointsFile: false });
});

afterAll(async () => {
  await t.close();
});

interface ManagementAnswer {
  readonly status: number;
  readonly errorType: string | undefined;
}

function managementRequest(url: string, method: string, headers: Record<string, string>, body = ''): Promise<ManagementAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, errorType: res.headers['x-amzn-errortype'] as string | undefined }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

interface ServiceAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function serviceRequest(url: string, method: string, headers: Record<string, string>, body = ''): Promise<ServiceAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

const PAGE = { Origin: 'https://evil.example.com', 'Sec-Fetch-Site': 'cross-site' };
/** What a page may send once dynalite approved the preflight: any header, an unverifiable signature. */
const FAKE_SIGNATURE = {
  'X-Amz-Date': '20250101T000000Z',
  Authorization: 'AWS4-HMAC-SHA256 Credential=local/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
};

describe('Security: the local Management API and web pages', () => {
  const connectionUrl = (connectionId: string): string => `${t.stack.endpoints.managementApiUrl}/@connections/${encodeURIComponent(connectionId)}`;

  it.each([
    ['a cross-site form-like POST', 'POST', { Origin: 'https://evil.example.com', 'Content-Type': 'text/plain' }],
    ['a POST from a page on the gateway itself (DNS rebinding)', 'POST', { Origin: 'http://attacker.example:3001', 'Content-Type': 'text/plain' }],
    ['a cross-site DELETE', 'DELETE', { Origin: 'https://evil.example.com' }],
    ['a cross-site GET', 'GET', { Origin: 'https://evil.example.com' }],
    ['a no-cors GET the browser marks cross-site', 'GET', { 'Sec-Fetch-Site': 'cross-site' }],
  ])('refuses %s (Origin, no signature) with 403: nothing sent, the connection stays open', async (_name, method, headers) => {
    // Prepare
    const { client, connectionId } = await t.connectAs('management-victim');

    // Act
    const answer = await managementRequest(connectionUrl(connectionId), method, headers, method === 'POST' ? '{"type":"notification","id":"x","data":"phish"}' : '');

    // Assess
    expect(answer).toEqual({ status: 403, errorType: 'ForbiddenException' });
    // A frame the refused request had sent would have come before this pong, on the same socket.
    expect(frame(await client.request(JSON.stringify({ action: 'ping' })))).toEqual({ type: 'pong', connectionId });
    expect(client.pending).toEqual([]);
    await client.close();
  });

  it('still serves unsigned requests without Origin (curl, scripts) and the signed SDK client', async () => {
    const { client, connectionId } = await t.connectAs('management-owner');

    const unsigned = await managementRequest(connectionUrl(connectionId), 'POST', { 'Content-Type': 'application/json' }, '"from a script"');
    await t.management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('"from the SDK"') }));

    expect(unsigned.status).toBe(200);
    expect([await client.next(), await client.next()].sort()).toEqual(['"from a script"', '"from the SDK"']);
    await t.management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect((await client.closed).code).toBe(1000);
    await eventually('the record to be deleted', async () => ((await t.record(connectionId)) === undefined ? true : undefined));
  });
});

describe('Security: the embedded services and web pages', () => {
  it('SQS refuses a cross-site form POST that would send a notification; the user receives nothing', async () => {
    // Prepare
    const victim = await t.connectAs('victim');
    const form = new URLSearchParams({
      Action: 'SendMessage',
      QueueUrl: t.stack.endpoints.queues.NotifyUser ?? '',
      MessageBody: JSON.stringify({ userId: 'victim', data: { download: 'https://evil.example.com/malware' } }),
    }).toString();

    // Act
    const answer = await serviceRequest(t.stack.endpoints.sqsEndpoint ?? '', 'POST', { ...PAGE, 'Content-Type': 'application/x-www-form-urlencoded' }, form);

    // Assess
    expect(answer.status).toBe(403);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(await t.queueDepth('NotifyUser')).toBe(0);
    expect(frame(await victim.client.request(JSON.stringify({ action: 'ping' })))).toMatchObject({ type: 'pong' });
    expect(victim.client.pending).toEqual([]);
    await victim.client.close();
  });

  it('DynamoDB refuses the CORS preflight and the request of a web page; the connection keeps its owner', async () => {
    // Prepare
    const victim = await t.connectAs('victim');
    const endpoint = t.stack.endpoints.dynamodbEndpoint ?? '';
    const putItem = JSON.stringify({
      TableName: t.stack.endpoints.tableName,
      Item: { connectionId: { S: victim.connectionId }, state: { S: 'authorized' }, authMode: { S: 'authorizer' }, userId: { S: 'mallory' }, connectedAt: { N: '1' }, authorizedAt: { N: '1' }, expiresAt: { N: '9999999999' }, failedAttempts: { N: '0' }, ttl: { N: '9999999999' } },
    });

    // Act
    const preflight = await serviceRequest(endpoint, 'OPTIONS', { ...PAGE, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-amz-date,x-amz-target' });
    const write = await serviceRequest(
      endpoint,
      'POST',
      {
        ...PAGE,
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'DynamoDB_20120810.PutItem',
        ...FAKE_SIGNATURE,
      },
      putItem,
    );
    const scan = await serviceRequest(
      endpoint,
      'POST',
      { ...PAGE, 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.Scan', ...FAKE_SIGNATURE },
      JSON.stringify({ TableName: t.stack.endpoints.tableName }),
    );

    // Assess
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect([write.status, scan.status]).toEqual([403, 403]);
    expect(scan.body).not.toContain(victim.connectionId);
    const { Item } = await t.dynamodb.send(new GetItemCommand({ TableName: t.stack.endpoints.tableName, Key: { connectionId: { S: victim.connectionId } }, ConsistentRead: true }));
    expect(Item?.userId).toEqual({ S: 'victim' });
    await victim.client.close();
  });

  it('still serves the SDK clients (no Origin)', async () => {
    const user = await t.connectAs('someone');

    await t.sqs.send(new SendMessageCommand({ QueueUrl: t.stack.endpoints.queues.NotifyUser, MessageBody: JSON.stringify({ userId: 'someone', id: 'n-1', data: 1 }) }));

    expect(frame(await user.client.next(10_000))).toEqual({ type: 'notification', id: 'n-1', seq: 1, data: 1 });
    expect(await t.record(user.connectionId)).toMatchObject({ userId: { S: 'someone' } });
    // The queue is left as found (the poller deletes the message once NotifyUser returns), so the
    // test above that reads NotifyUser as empty holds whichever of the two runs first.
    await eventually('NotifyUser to be drained', async () => ((await t.queueDepth('NotifyUser')) === 0 ? true : undefined));
    await user.client.close();
    await eventually('the record to be deleted', async () => ((await t.record(user.connectionId)) === undefined ? true : undefined));
  });
});
