import { forbiddenFrame, GatewayError, internalServerErrorFrame } from '../../../../src/local/gateway/errors';

describe('Function: internalServerErrorFrame', () => {
  it('is byte for byte the frame API Gateway sends, spacing included', () => {
    expect(internalServerErrorFrame('Qyi07eCbtjMCJKw=', 'Qyi3UG41tjMFlUg=')).toBe(
      '{"message": "Internal server error", "connectionId":"Qyi07eCbtjMCJKw=", "requestId":"Qyi3UG41tjMFlUg="}',
    );
    expect(JSON.parse(internalServerErrorFrame('a', 'b'))).toEqual({ message: 'Internal server error', connectionId: 'a', requestId: 'b' });
  });
});

describe('Function: forbiddenFrame', () => {
  it('is byte for byte the frame API Gateway sends when no route matches', () => {
    expect(forbiddenFrame('PbTkjcISoAMCJNQ=', 'PbTk7ET8IAMFs2g=')).toBe('{"message": "Forbidden", "connectionId":"PbTkjcISoAMCJNQ=", "requestId":"PbTk7ET8IAMFs2g="}');
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
