import {
  connectionAccess,
  connectionTtl,
  isPastTtl,
  isTokenExpired,
  newAuthorizedConnection,
  newPendingConnection,
} from '../../../src/commons/connection-record';

const connectedAt = Date.UTC(2025, 11, 13, 10, 17, 47, 185);

describe('Function: connectionTtl', () => {
  it('is connect time + 2 h + 15 min, in unix seconds', () => {
    expect(connectionTtl(connectedAt)).toBe(Math.floor(connectedAt / 1000) + 7200 + 900);
  });
});

describe('Function: newPendingConnection', () => {
  it('makes a pending record of mode action without a user', () => {
    expect(newPendingConnection({ connectionId: 'c1', connectedAt })).toEqual({
      connectionId: 'c1',
      state: 'pending',
      authMode: 'action',
      connectedAt,
      failedAttempts: 0,
      ttl: connectionTtl(connectedAt),
    });
  });
});

describe('Function: connectionAccess', () => {
  const expiresAt = Math.floor(connectedAt / 1000) + 60;
  const authorized = newAuthorizedConnection({
    connectionId: 'c1',
    connectedAt,
    authorizedAt: connectedAt,
    userId: '1234',
    expiresAt,
    authMode: 'authorizer',
  });

  it('is unauthorized for an absent or pending record', () => {
    expect(connectionAccess(undefined, connectedAt).status).toBe('unauthorized');
    expect(connectionAccess(newPendingConnection({ connectionId: 'c1', connectedAt }), connectedAt).status).toBe('unauthorized');
  });

  it('is authorized until the token expires, then token_expired', () => {
    expect(connectionAccess(authorized, expiresAt * 1000 - 1)).toEqual({ status: 'authorized', record: authorized });
    expect(connectionAccess(authorized, expiresAt * 1000)).toEqual({ status: 'token_expired', record: authorized });
  });
});

describe('Functions: isPastTtl, isTokenExpired', () => {
  it('compare against the given time', () => {
    expect(isPastTtl(100, 99_999)).toBe(false);
    expect(isPastTtl(100, 100_000)).toBe(true);
    expect(isTokenExpired(100, 99_999)).toBe(false);
    expect(isTokenExpired(100, 100_000)).toBe(true);
  });
});
