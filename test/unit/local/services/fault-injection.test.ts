import type { IncomingMessage } from 'node:http';
import { operationOf, validateFaultOptions } from '../../../../src/local/services/fault-injection';

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
