/**
 * The keep-alive route of the synthesized stack: a MOCK integration the gateway answers from the
 * template's integration response, with no function invoked and no AWS request made.
 */
import { KEEP_ALIVE_MESSAGE } from '../../../src/client/frames';
import type { FunctionInvocationEvent } from '../../../src/local/functions/function-events';
import type { ServiceRequestEvent } from '../../../src/local/runtime';
import { frame, startTestStack, type TestStack } from '../../helpers/local-stack';

describe('Local stack: the keep-alive route', () => {
  let t: TestStack;
  const requests: ServiceRequestEvent[] = [];
  /** The requests of the functions (the queue pollers' own calls left out). */
  const functionRequests = () => requests.filter((request) => request.caller === undefined).map((request) => `${request.service}.${request.operation}`);

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local', onServiceRequest: (request) => requests.push(request) });
  });

  afterAll(async () => {
    await t.close();
  });

  it('reads the route from the template as a MOCK integration', () => {
    // Assess
    expect(t.stack.model.api.routes.find((route) => route.routeKey === 'keepalive')).toEqual({
      routeKey: 'keepalive',
      mock: { response: '{"type":"pong"}' },
      returnResponse: true,
    });
  });

  it("answers the client library's keep-alive with a pong, invoking no function and making no AWS request", async () => {
    // Prepare
    const { client } = await t.connectAs('keeper');
    const started: string[] = [];
    const stop = t.stack.onInvocation((event: FunctionInvocationEvent) => {
      if (event.type === 'start') started.push(event.functionId);
    });
    requests.length = 0;

    try {
      // Act
      const reply = frame(await client.request(KEEP_ALIVE_MESSAGE));
      const afterKeepAlive = { started: [...started], requests: functionRequests() };
      // A ping through its function, observed the same way: the observers do see invocations and requests.
      const pong = frame(await client.request(JSON.stringify({ action: 'ping' })));

      // Assess
      expect(reply).toEqual({ type: 'pong' });
      expect(afterKeepAlive).toEqual({ started: [], requests: [] });
      expect(pong).toMatchObject({ type: 'pong', connectionId: expect.any(String) as string });
      expect(started).toEqual(['Ping']);
      expect(functionRequests()).toEqual(['dynamodb.GetItem']);
    } finally {
      stop();
      await client.close();
    }
  });

  it('keeps answering on the same connection, one pong per keep-alive', async () => {
    // Prepare
    const { client } = await t.connectAs('keeper');

    try {
      // Act
      const replies: unknown[] = [];
      for (let i = 0; i < 3; i++) replies.push(frame(await client.request(KEEP_ALIVE_MESSAGE)));

      // Assess
      expect(replies).toEqual([{ type: 'pong' }, { type: 'pong' }, { type: 'pong' }]);
      expect(client.socket.readyState).toBe(client.socket.OPEN);
    } finally {
      await client.close();
    }
  });
});
