import fc from 'fast-check';
import { newAuthorizedConnection } from '../../../src/commons/connection-record';
import { isPastRetention, isTruncated, notificationTtl, recentConnection } from '../../../src/commons/inbox';

const NOW = Date.UTC(2025, 11, 13, 10, 30);
const NOW_S = NOW / 1000;

describe('Function: isPastRetention', () => {
  it('is past retention from the moment storedAt + retention is reached, not a millisecond before', () => {
    expect(isPastRetention(NOW - 60_000, 60, NOW - 1)).toBe(false);
    expect(isPastRetention(NOW - 60_000, 60, NOW)).toBe(true);
    expect(isPastRetention(NOW, 86_400, NOW)).toBe(false);
  });
});

describe('Function: notificationTtl', () => {
  it('lets DynamoDB delete a notification only once it is past retention (whole seconds, rounded up)', () => {
    expect(notificationTtl(NOW, 3600)).toBe(NOW_S + 3600);
    expect(notificationTtl(NOW + 1, 3600)).toBe(NOW_S + 3601);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), fc.integer({ min: 1, max: 31_536_000 }), (storedAt, retention) => {
        expect(notificationTtl(storedAt, retention) * 1000).toBeGreaterThanOrEqual(storedAt + retention * 1000);
      }),
    );
  });
});

describe('Function: isTruncated', () => {
  it.each([
    ['an empty inbox', 0, 0, undefined, false],
    ['a cursor at latest', 9, 9, undefined, false],
    ['a cursor above latest', 50, 9, undefined, false],
    ['nothing retained after the cursor while latest is above it', 4, 9, undefined, true],
    ['the oldest retained right after the cursor', 4, 9, 5, false],
    ['the oldest retained above cursor + 1', 4, 9, 6, true],
    ['a fresh client whose user lost seq 1 to retention', 0, 3, 2, true],
    ['a fresh client whose user still has seq 1', 0, 3, 1, false],
  ])('%s', (_label, after, latest, oldestRetainedAfter, expected) => {
    expect(isTruncated(after, latest, oldestRetainedAfter)).toBe(expected);
  });
});

describe('Function: recentConnection', () => {
  const record = (expiresAt: number) =>
    newAuthorizedConnection({ connectionId: 'c1=', connectedAt: NOW, authorizedAt: NOW, userId: '1234', expiresAt, authMode: 'authorizer' });

  it('is read for 300 s after authorization', () => {
    expect(recentConnection(record(NOW_S + 3600), NOW)).toEqual({ userId: '1234', connectionId: 'c1=', expiresAt: NOW_S + 300 });
  });

  it('is never read after the token expires', () => {
    expect(recentConnection(record(NOW_S + 20), NOW)).toEqual({ userId: '1234', connectionId: 'c1=', expiresAt: NOW_S + 20 });
  });
});
