import { managementOperationOf } from '../../../../src/local/gateway/management-api';

describe('Function: managementOperationOf', () => {
  it('names the SDK operation of each Management API method, and none for other methods', () => {
    // Act & Assess
    expect(managementOperationOf('POST')).toBe('PostToConnection');
    expect(managementOperationOf('GET')).toBe('GetConnection');
    expect(managementOperationOf('DELETE')).toBe('DeleteConnection');
    expect(managementOperationOf('PUT')).toBeUndefined();
  });
});
