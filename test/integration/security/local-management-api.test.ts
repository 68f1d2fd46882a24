/**
 * The local Management API (`/<stage>/@connections/{id}` on the gateway's port) from a web page.
 * On AWS the Management API needs a SigV4 signature, so a page in a browser cannot use it. The
 * local one accepts unsigned requests (curl, scripts); without a guard, any site open in the
 * developer's browser could send frames to (a "simple" cross-site POST needs no preflight) or
 * close the connections of the local stack. Browsers mark such requests with `Origin`; SDK
 * clients sign theirs.
 */
import { request } from 'node:http';
import { PostToConnectionCommand, DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { eventually, frame, startTestStack, type TestStack } from '../../helpers/local-stack';

interface Answer {
  readonly status: number;
  readonly errorType: string | undefined;
}

function send(url: string, method: string, headers: Record<string, string>, body = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, errorType: res.headers['x-amzn-errortype'] as string | undefined }));
    });
    req.once('error', reject);
    req.end(body);
  });
}

describe('Security: the local Management API and web pages', () => {
  let t: TestStack;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local', authMode: 'authorizer', endpointsFile: false });
  });

  afterAll(async () => {
    await t.close();
  });

  const connectionUrl = (connectionId: string): string => `${t.stack.endpoints.managementApiUrl}/@connections/${encodeURIComponent(connectionId)}`;

  it.each([
    ['a cross-site form-like POST', 'POST', { Origin: 'https://evil.example.com', 'Content-Type': 'text/plain' }],
    ['a POST from a page on the gateway itself (DNS rebinding)', 'POST', { Origin: 'http://attacker.example:3001', 'Content-Type': 'text/plain' }],
    ['a cross-site DELETE', 'DELETE', { Origin: 'https://evil.example.com' }],
    ['a cross-site GET', 'GET', { Origin: 'https://evil.example.com' }],
    ['a no-cors GET the browser marks cross-site', 'GET', { 'Sec-Fetch-Site': 'cross-site' }],
  ])('refuses %s (Origin, no signature) with 403: nothing sent, the connection stays open', async (_name, method, headers) => {
    // Prepare
    const { client, connectionId } = await t.connectAs('victim');

    // Act
    const answer = await send(connectionUrl(connectionId), method, headers, method === 'POST' ? '{"type":"notification","id":"x","data":"phish"}' : '');

    // Assess
    expect(answer).toEqual({ status: 403, errorType: 'ForbiddenException' });
    // A frame the refused request had sent would have come before this pong, on the same socket.
    expect(frame(await client.request(JSON.stringify({ action: 'ping' })))).toEqual({ type: 'pong', connectionId });
    expect(client.pending).toEqual([]);
    await client.close();
  });

  it('still serves unsigned requests without Origin (curl, scripts) and the signed SDK client', async () => {
    const { client, connectionId } = await t.connectAs('owner');

    const unsigned = await send(connectionUrl(connectionId), 'POST', { 'Content-Type': 'application/json' }, '"from a script"');
    await t.management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('"from the SDK"') }));

    expect(unsigned.status).toBe(200);
    expect([await client.next(), await client.next()].sort()).toEqual(['"from a script"', '"from the SDK"']);
    await t.management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect((await client.closed).code).toBe(1000);
    await eventually('the record to be deleted', async () => ((await t.record(connectionId)) === undefined ? true : undefined));
  });
});
