import type { IncomingMessage } from 'node:http';
import { operationOf } from '../../../../src/local/services/embedded-http-service';
import { createFaultDecider, FaultCounter, validateFaultOptions } from '../../../../src/local/services/fault-injection';

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
    expect(counter.counts()).toEqual({ requests: 3, injected: 2, byKind: { throttle: 1, server: 1 }, byOperation: { GetItem: 1, Query: 1 } });
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

