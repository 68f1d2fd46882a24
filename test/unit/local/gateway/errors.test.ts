import { errorFrame, GatewayError } from '../../../../src/local/gateway/errors';

describe('Function: errorFrame', () => {
  it('is byte for byte the frame API Gateway sends when an integration fails, spacing included', () => {
    expect(errorFrame('Internal server error', 'Qyi07eCbtjMCJKw=', 'Qyi3UG41tjMFlUg=')).toBe(
      '{"message": "Internal server error", "connectionId":"Qyi07eCbtjMCJKw=", "requestId":"Qyi3UG41tjMFlUg="}',
    );
    expect(JSON.parse(errorFrame('Internal server error', 'a', 'b'))).toEqual({ message: 'Internal server error', connectionId: 'a', requestId: 'b' });
  });

  it('is byte for byte the frame API Gateway sends when no route matches', () => {
    expect(errorFrame('Forbidden', 'PbTkjcISoAMCJNQ=', 'PbTk7ET8IAMFs2g=')).toBe('{"message": "Forbidden", "connectionId":"PbTkjcISoAMCJNQ=", "requestId":"PbTk7ET8IAMFs2g="}');
  });
});

describe('Class: GatewayError', () => {
  it('has a name, a stable code and a cause', () => {
    const cause = new Error('EADDRINUSE');

    const error = new GatewayError('listen_failed', 'cannot listen', { cause });

    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'GatewayError', code: 'listen_failed', message: 'cannot listen', cause });
  });
});
