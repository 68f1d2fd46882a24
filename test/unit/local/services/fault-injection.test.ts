import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { operationOf } from '../../../../src/local/services/embedded-http-service';
import { createFaultDecider, FaultCounter, FaultInjection, hangCall, validateFaultOptions } from '../../../../src/local/services/fault-injection';
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

describe('Function: validateFaultOptions', () => {
  it.each([-0.1, 1.01, Number.NaN])('refuses a rate of %p', (rate) => {
    // Act & Assess
    expect(() => validateFaultOptions({ rate })).toThrow(TypeError);
  });

  it('accepts 0 and 1, and refuses an empty list of kinds', () => {
    // Act & Assess
    expect(() => validateFaultOptions({ rate: 0 })).not.toThrow();
    expect(() => validateFaultOptions({ rate: 1, kinds: ['throttle'] })).not.toThrow();
    expect(() => validateFaultOptions({ rate: 0.5, kinds: [] })).toThrow('faults.kinds must name at least one kind');
  });

  it('accepts hangMs with the hang kind only, from 1 ms to an hour', () => {
    // Act & Assess
    expect(() => validateFaultOptions({ rate: 1, kinds: ['hang'], hangMs: 40_000 })).not.toThrow();
    expect(() => validateFaultOptions({ rate: 1, hangMs: 40_000 })).toThrow("faults.hangMs needs 'hang' among faults.kinds");
    expect(() => validateFaultOptions({ rate: 1, kinds: ['hang'], hangMs: 0 })).toThrow('faults.hangMs must be a number of milliseconds from 1 to 3600000, got 0');
    expect(() => validateFaultOptions({ rate: 1, kinds: ['hang'], hangMs: 3_600_001 })).toThrow(TypeError);
  });
});

/** A random source that returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length] ?? 0;
}

describe('Function: createFaultDecider', () => {
  it('fails a call when the draw is under the rate, with the kind of the second draw, and counts both', () => {
    // Prepare
    const counter = new FaultCounter();
    // draw 0.1 < 0.2: fault, kind draw 0.2 → throttle; 0.5: no fault; 0.0: fault, kind 0.9 → server.
    const decide = createFaultDecider({ rate: 0.2, random: sequence(0.1, 0.2, 0.5, 0.0, 0.9) }, counter);

    // Act
    const kinds = [decide('GetItem'), decide('GetItem'), decide('Query')];

    // Assess
    expect(kinds).toEqual(['throttle', undefined, 'server']);
    expect(counter.counts()).toEqual({ requests: 3, injected: 2, byKind: { throttle: 1, server: 1, hang: 0 }, byOperation: { GetItem: 1, Query: 1 } });
  });

  it('never fails at rate 0 and always fails at rate 1, with only the kinds allowed', () => {
    // Prepare
    const never = createFaultDecider({ rate: 0 });
    const always = createFaultDecider({ rate: 1, kinds: ['server'] });

    // Act
    const none = Array.from({ length: 100 }, () => never('PutItem'));
    const all = Array.from({ length: 100 }, () => always('PutItem'));

    // Assess
    expect(none.every((kind) => kind === undefined)).toBe(true);
    expect(all.every((kind) => kind === 'server')).toBe(true);
  });

  it('leaves operations outside `operations` alone and does not count them', () => {
    // Prepare
    const counter = new FaultCounter();
    const decide = createFaultDecider({ rate: 1, operations: ['SendMessageBatch'] }, counter);

    // Act
    const outside = decide('ReceiveMessage');
    const unknown = decide(undefined);
    const inside = decide('SendMessageBatch');

    // Assess
    expect(outside).toBeUndefined();
    expect(unknown).toBeUndefined();
    expect(inside).toBeDefined();
    expect(counter.counts()).toMatchObject({ requests: 1, injected: 1 });
  });

  it('injects about the rate asked for over many calls', () => {
    // Prepare
    const counter = new FaultCounter();
    let seed = 42;
    // A small deterministic LCG so the test cannot flake.
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const decide = createFaultDecider({ rate: 0.2, random }, counter);

    // Act
    for (let i = 0; i < 10_000; i += 1) decide('GetItem');

    // Assess
    const { requests, injected } = counter.counts();
    expect(requests).toBe(10_000);
    expect(injected / requests).toBeGreaterThan(0.18);
    expect(injected / requests).toBeLessThan(0.22);
  });

  it('refuses invalid options with a TypeError', () => {
    // Act & Assess
    expect(() => createFaultDecider({ rate: 2 })).toThrow(TypeError);
  });
});


describe('Class: FaultInjection', () => {
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
