import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { operationOf } from '../../../../src/local/services/embedded-http-service';
import { FaultInjection, hangCall, type FaultOptions } from '../../../../src/local/services/fault-injection';
import { EVENT_SOURCE_MAPPING_CALLER, InterceptorChain } from '../../../../src/local/services/request-interceptors';

function requestWith(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('Function: operationOf', () => {
  it('reads the operation of AWS JSON-protocol requests', () => {
    // Act & Assess
    expect(operationOf(requestWith({ 'x-amz-target': 'DynamoDB_20120810.GetItem' }))).toBe('GetItem');
    expect(operationOf(requestWith({ 'x-amz-target': 'AmazonSQS.ReceiveMessage' }))).toBe('ReceiveMessage');
    expect(operationOf(requestWith({}))).toBeUndefined();
  });
});

/** A random source that returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length] ?? 0;
}

describe('Class: FaultInjection', () => {
  /** The fault each call of `operations` meets, through a chain that holds only `faults`. */
  function faultsOf(options: FaultOptions, operations: readonly string[]): { kinds: (string | undefined)[]; faults: FaultInjection } {
    const chain = new InterceptorChain();
    const faults = new FaultInjection(chain);
    faults.set(options);
    return { kinds: operations.map((operation) => chain.begin({ service: 'dynamodb', operation }).fault?.kind), faults };
  }

  it('fails a call when the draw is under the rate, with the kind of the second draw, and counts both', () => {
    // Act
    // draw 0.1 < 0.2: fault, kind draw 0.2 → throttle; 0.5: no fault; 0.0: fault, kind 0.9 → server.
    const { kinds, faults } = faultsOf({ rate: 0.2, random: sequence(0.1, 0.2, 0.5, 0.0, 0.9) }, ['GetItem', 'GetItem', 'Query']);

    // Assess
    expect(kinds).toEqual(['throttle', undefined, 'server']);
    expect(faults.counts()).toEqual({ requests: 3, injected: 2, byKind: { throttle: 1, server: 1, hang: 0 }, byOperation: { GetItem: 1, Query: 1 } });
  });

  it('never fails at rate 0 and always fails at rate 1, with only the kinds allowed', () => {
    // Prepare
    const calls = Array.from({ length: 100 }, () => 'PutItem');

    // Act
    const none = faultsOf({ rate: 0 }, calls).kinds;
    const all = faultsOf({ rate: 1, kinds: ['server'] }, calls).kinds;

    // Assess
    expect(none.every((kind) => kind === undefined)).toBe(true);
    expect(all.every((kind) => kind === 'server')).toBe(true);
  });

  it('leaves operations outside `operations` alone and does not count them', () => {
    // Act
    const { kinds, faults } = faultsOf({ rate: 1, operations: ['SendMessageBatch'] }, ['ReceiveMessage', 'unknown', 'SendMessageBatch']);

    // Assess
    expect(kinds[0]).toBeUndefined();
    expect(kinds[1]).toBeUndefined();
    expect(kinds[2]).toBeDefined();
    expect(faults.counts()).toMatchObject({ requests: 1, injected: 1 });
  });

  it('injects about the rate asked for over many calls', () => {
    // Prepare
    let seed = 42;
    // A small deterministic LCG so the test cannot flake.
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

    // Act
    const { faults } = faultsOf({ rate: 0.2, random }, Array.from({ length: 10_000 }, () => 'GetItem'));

    // Assess
    const { requests, injected } = faults.counts();
    expect(requests).toBe(10_000);
    expect(injected / requests).toBeGreaterThan(0.18);
    expect(injected / requests).toBeLessThan(0.22);
  });

  it('stops injecting once set to undefined, and keeps counting across set calls', () => {
    // Prepare
    const chain = new InterceptorChain();
    const faults = new FaultInjection(chain);
    faults.set({ rate: 1, kinds: ['throttle'] });
    const first = chain.begin({ service: 'sqs', operation: 'SendMessage' }).fault;

    // Act
    faults.set(undefined);
    const after = chain.begin({ service: 'sqs', operation: 'SendMessage' }).fault;
    faults.set({ rate: 1, kinds: ['server'] });
    const again = chain.begin({ service: 'sqs', operation: 'SendMessage' }).fault;

    // Assess
    expect([first, after, again]).toEqual([{ kind: 'throttle' }, undefined, { kind: 'server' }]);
    expect(chain.isEmpty).toBe(false);
    expect(faults.counts()).toMatchObject({ requests: 2, injected: 2, byKind: { throttle: 1, server: 1, hang: 0 } });
  });

  it.each([-0.1, 1.01, Number.NaN])('refuses a rate of %p with a TypeError, keeping the faults it had', (rate) => {
    // Prepare
    const chain = new InterceptorChain();
    const faults = new FaultInjection(chain);
    faults.set({ rate: 1, kinds: ['throttle'] });

    // Act & Assess
    expect(() => faults.set({ rate })).toThrow(TypeError);
    expect(chain.begin({ service: 'sqs', operation: 'SendMessage' }).fault).toEqual({ kind: 'throttle' });
  });

  it('hangs the calls it faults with the hang kind, with the answer delay when one is set, and never the pollers\' calls', () => {
    // Prepare
    const chain = new InterceptorChain();
    const faults = new FaultInjection(chain);

    // Act
    faults.set({ rate: 1, kinds: ['hang'] });
    const never = chain.begin({ service: 'management', operation: 'PostToConnection' }).fault;
    faults.set({ rate: 1, kinds: ['hang'], hangMs: 40_000 });
    const late = chain.begin({ service: 'sqs', operation: 'SendMessage' }).fault;
    const poller = chain.begin({ service: 'sqs', operation: 'ReceiveMessage', caller: EVENT_SOURCE_MAPPING_CALLER }).fault;

    // Assess
    expect(never).toEqual({ kind: 'hang' });
    expect(late).toEqual({ kind: 'hang', answerAfterMs: 40_000 });
    expect(poller).toBeUndefined();
    expect(faults.counts()).toMatchObject({ requests: 2, injected: 2, byKind: { throttle: 0, server: 0, hang: 2 } });
  });
});

/** A request and a response as hangCall sees them: streams that record whether the body was read. */
function heldCall(): { request: IncomingMessage; response: ServerResponse; resumed: () => boolean } {
  let resumed = false;
  const request = Object.assign(new EventEmitter(), { resume: () => (resumed = true) }) as unknown as IncomingMessage;
  const response = new EventEmitter() as unknown as ServerResponse;
  return { request, response, resumed: () => resumed };
}

describe('Function: hangCall', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reads a call without an answer delay and never handles it', () => {
    // Prepare
    const { request, response, resumed } = heldCall();
    const handle = jest.fn();

    // Act
    hangCall({ kind: 'hang' }, request, response, handle);
    jest.advanceTimersByTime(3_600_000);

    // Assess
    expect(resumed()).toBe(true);
    expect(handle).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('handles a call after its answer delay while the caller waits, leaving its body to the handler', () => {
    // Prepare
    const { request, response, resumed } = heldCall();
    const handle = jest.fn();

    // Act
    hangCall({ kind: 'hang', answerAfterMs: 40_000 }, request, response, handle);
    jest.advanceTimersByTime(39_999);
    const early = handle.mock.calls.length;
    jest.advanceTimersByTime(1);

    // Assess
    expect(early).toBe(0);
    expect(handle).toHaveBeenCalledTimes(1);
    expect(resumed()).toBe(false);
  });

  it('drops a late call whose caller went away, holding no timer', () => {
    // Prepare
    const { request, response } = heldCall();
    const handle = jest.fn();
    hangCall({ kind: 'hang', answerAfterMs: 40_000 }, request, response, handle);

    // Act
    jest.advanceTimersByTime(2_000);
    response.emit('close');
    jest.advanceTimersByTime(60_000);

    // Assess
    expect(handle).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });
});
