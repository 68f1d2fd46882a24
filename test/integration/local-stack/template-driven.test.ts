/**
 * The runtime serves what the template holds: a route added to the stack (and nothing else) is
 * served, with its function's environment and route response: the template is the single source of truth.
 * The route is the shared configuration `echo-route` (test/helpers/shared-synthesis.ts): the
 * stack is synthesized with it once per run, in the global setup, like the stage variants.
 */
import os from 'node:os';
import { frame, startTestStack, type TestStack } from '../../helpers/local-stack';
import { addEchoRoute, echoRouteCodeDirectory } from '../../helpers/shared-synthesis';

describe('Local stack: built from the template', () => {
  let t: TestStack;

  beforeAll(async () => {
    t = await startTestStack({ stage: 'local', configureStack: addEchoRoute });
  });

  afterAll(async () => {
    await t.close();
  });

  it('reads the added route and function from the synthesized template', () => {
    expect(t.stack.model.api.routes.map((route) => route.routeKey)).toContain('echo');
    const echo = t.stack.model.api.routes.find((route) => route.routeKey === 'echo')?.functionId;
    expect(echo).toMatch(/^Echo[0-9A-F]{8}$/);
    expect(t.stack.model.functions[echo!]?.codeDirectory).toBe(echoRouteCodeDirectory());
  });

  it('serves the added route with its route response, behind the stage authorizer', async () => {
    const { client, connectionId } = await t.connectAs('echoer');

    const reply = frame(await client.request(JSON.stringify({ action: 'echo', text: 'hi' })));

    expect(reply).toEqual({ type: 'echo', routeKey: 'echo', connectionId, body: '{"action":"echo","text":"hi"}' });
    await client.close();
  });

  it('runs each function and each queue mapping at min(concurrency, CPUs + 1) at once', () => {
    // Prepare
    const cap = Math.min(10, os.availableParallelism() + 1);
    const mappings = t.stack.model.eventSourceMappings;

    // Act
    const instances = Object.keys(t.stack.model.functions).map((functionId) => t.stack.functions.stats()[functionId]?.maxInstances);
    const batches = mappings.map((mapping) => t.stack.pollers.stats()[mapping.logicalId]?.maximumConcurrency);

    // Assess
    expect(mappings.length).toBeGreaterThan(0);
    expect(new Set(instances)).toEqual(new Set([cap]));
    expect(batches).toEqual(mappings.map((mapping) => Math.min(mapping.maximumConcurrency ?? 10, cap)));
  });

  it('still routes the stack’s own actions', async () => {
    const { client } = await t.connectAs('echoer');

    expect(frame(await client.request(JSON.stringify({ action: 'ping' }))).type).toBe('pong');
    await client.close();
  });
});
