import type { FunctionInvoker } from '../../../../src/local/functions/invocation';
import { invokeIntegration } from '../../../../src/local/gateway/integration';
import { deferred, TestFunctionInvoker } from '../../../fixtures/gateway/test-function-invoker';

describe('Function: invokeIntegration', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('returns what the function returned', async () => {
    const invoker = new TestFunctionInvoker({ Echo: (event) => ({ statusCode: 200, body: event.body }) });

    const outcome = await invokeIntegration(invoker, 'Echo', { body: 'hi', requestContext: {} }, 1000);

    expect(outcome).toMatchObject({ kind: 'ok', payload: { statusCode: 200, body: 'hi' } });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a thrown error with its type and message', async () => {
    const invoker = new TestFunctionInvoker({
      Fail: () => {
        throw new TypeError('boom');
      },
    });

    await expect(invokeIntegration(invoker, 'Fail', {}, 1000)).resolves.toMatchObject({ kind: 'error', errorType: 'TypeError', errorMessage: 'boom' });
  });

  it('reports a function past its own timeout as Sandbox.Timedout', async () => {
    const invoker = new TestFunctionInvoker({ Slow: { handler: () => new Promise(() => undefined), timeoutMs: 20 } });

    const outcome = invokeIntegration(invoker, 'Slow', {}, 1000);
    await jest.advanceTimersByTimeAsync(20);

    await expect(outcome).resolves.toMatchObject({ kind: 'error', errorType: 'Sandbox.Timedout' });
  });

  it('stops waiting at the integration timeout, whatever the function timeout', async () => {
    const release = deferred();
    const invoker = new TestFunctionInvoker({ Slow: { handler: () => release.promise, timeoutMs: 10_000 } });

    const outcome = invokeIntegration(invoker, 'Slow', {}, 30);
    await jest.advanceTimersByTimeAsync(30);
    release.resolve();

    await expect(outcome).resolves.toMatchObject({ kind: 'integration-timeout', durationMs: 30 });
  });

  it('reports an invoker that rejects or throws instead of returning a failure', async () => {
    const rejecting: FunctionInvoker = { invoke: () => Promise.reject(new Error('worker crashed')) };
    const throwing: FunctionInvoker = {
      invoke: () => {
        throw new Error('bug');
      },
    };

    await expect(invokeIntegration(rejecting, 'F', {}, 1000)).resolves.toMatchObject({ kind: 'invoker-error', error: new Error('worker crashed') });
    await expect(invokeIntegration(throwing, 'F', {}, 1000)).resolves.toMatchObject({ kind: 'invoker-error', error: new Error('bug') });
  });
});
