import { createManagementFaultInjector, managementOperationOf } from '../../../../src/local/gateway/management-faults';
import { FaultCounter } from '../../../../src/local/services/fault-injection';

describe('Function: managementOperationOf', () => {
  it('names the SDK operation of each Management API method, and none for other methods', () => {
    // Act & Assess
    expect(managementOperationOf('POST')).toBe('PostToConnection');
    expect(managementOperationOf('GET')).toBe('GetConnection');
    expect(managementOperationOf('DELETE')).toBe('DeleteConnection');
    expect(managementOperationOf('PUT')).toBeUndefined();
  });
});

describe('Function: createManagementFaultInjector', () => {
  it('answers throttling as API Gateway does: 429 LimitExceededException', () => {
    // Prepare
    const inject = createManagementFaultInjector({ rate: 1, kinds: ['throttle'] });

    // Act
    const fault = inject('POST');

    // Assess
    expect(fault).toEqual({ status: 429, errorType: 'LimitExceededException', body: '{"message":"Rate exceeded"}' });
  });

  it('answers a server fault as API Gateway does: 500 InternalServerErrorException', () => {
    // Prepare
    const inject = createManagementFaultInjector({ rate: 1, kinds: ['server'] });

    // Act
    const fault = inject('DELETE');

    // Assess
    expect(fault).toEqual({ status: 500, errorType: 'InternalServerErrorException', body: '{"message":"Internal server error"}' });
  });

  it('counts by operation and leaves other methods alone', () => {
    // Prepare
    const counter = new FaultCounter();
    const inject = createManagementFaultInjector({ rate: 1, kinds: ['throttle'], operations: ['PostToConnection'] }, counter);

    // Act
    const results = [inject('POST'), inject('GET'), inject('PATCH'), inject('POST')];

    // Assess
    expect(results.map((fault) => fault?.status)).toEqual([429, undefined, undefined, 429]);
    expect(counter.counts()).toEqual({ requests: 2, injected: 2, byKind: { throttle: 2, server: 0 }, byOperation: { PostToConnection: 2 } });
  });

  it('refuses a rate outside 0–1 with a TypeError', () => {
    // Act & Assess
    expect(() => createManagementFaultInjector({ rate: -1 })).toThrow('faults.rate must be a number from 0 to 1, got -1');
  });
});
