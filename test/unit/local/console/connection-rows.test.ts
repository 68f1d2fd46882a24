import type { AuthorizedConnection, ConnectionRecord, PendingConnection } from '../../../../src/commons/connection-record';
import { buildConnectionRows, type LiveConnection } from '../../../../src/local/console/connection-rows';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const nowSeconds = NOW / 1000;

function live(connectionId: string, overrides: Partial<LiveConnection> = {}): LiveConnection {
  return { connectionId, connectedAt: NOW - 5000, lastActiveAt: NOW - 1000, state: 'open', identity: { sourceIp: '127.0.0.1' }, ...overrides };
}

function authorized(connectionId: string, userId: string, overrides: Partial<AuthorizedConnection> = {}): AuthorizedConnection {
  return {
    connectionId,
    state: 'authorized',
    authMode: 'authorizer',
    userId,
    connectedAt: NOW - 5000,
    authorizedAt: NOW - 5000,
    expiresAt: nowSeconds + 3600,
    failedAttempts: 0,
    ttl: nowSeconds + 8000,
    ...overrides,
  };
}

function pending(connectionId: string, overrides: Partial<PendingConnection> = {}): PendingConnection {
  return { connectionId, state: 'pending', authMode: 'action', connectedAt: NOW - 3000, failedAttempts: 0, ttl: nowSeconds + 8000, ...overrides };
}

describe('Function: buildConnectionRows', () => {
  it('joins an open connection with its authorized record', () => {
    const rows = buildConnectionRows([live('A')], [authorized('A', 'alice')], NOW);

    expect(rows).toEqual([
      {
        connectionId: 'A',
        state: 'authorized',
        userId: 'alice',
        authMode: 'authorizer',
        expiresAt: nowSeconds + 3600,
        connectedAt: NOW - 5000,
        lastActiveAt: NOW - 1000,
        sourceIp: '127.0.0.1',
      },
    ]);
  });

  it('shows pending, expired, no-record and closing connections as such', () => {
    const rows = buildConnectionRows(
      [live('P', { connectedAt: 1 }), live('E', { connectedAt: 2 }), live('N', { connectedAt: 3 }), live('C', { connectedAt: 4, state: 'closing' })],
      [pending('P'), authorized('E', 'erin', { expiresAt: nowSeconds - 1 }), authorized('C', 'carol')],
      NOW,
    );

    expect(rows.map((row) => [row.connectionId, row.state, row.userId])).toEqual([
      ['P', 'pending', undefined],
      ['E', 'expired', 'erin'],
      ['N', 'no-record', undefined],
      ['C', 'closing', 'carol'],
    ]);
    expect(rows[0]).toMatchObject({ authMode: 'action' });
  });

  it('lists a record without an open connection as record-only, and leaves out closed connections and records past their ttl', () => {
    const rows = buildConnectionRows(
      [live('closed', { state: 'closed' })],
      [authorized('gone', 'gus'), authorized('old', 'olga', { ttl: nowSeconds - 1 })],
      NOW,
    );

    expect(rows).toEqual([{ connectionId: 'gone', state: 'record-only', userId: 'gus', authMode: 'authorizer', expiresAt: nowSeconds + 3600, connectedAt: NOW - 5000 }]);
  });

  it('orders rows by connection time', () => {
    const records: ConnectionRecord[] = [authorized('late', 'l', { connectedAt: NOW - 10 }), authorized('early', 'e', { connectedAt: NOW - 100 })];

    const rows = buildConnectionRows([], records, NOW);

    expect(rows.map((row) => row.connectionId)).toEqual(['early', 'late']);
  });

  it('copies only the listed fields, never anything else a connection carries', () => {
    const connection = { ...live('A'), authorizer: { principalId: 'alice', token: 'eyJhbGciOiJFUzI1NiJ9.e30.sig' } } as LiveConnection;

    const rows = buildConnectionRows([connection], [], NOW);

    expect(JSON.stringify(rows)).not.toContain('eyJ');
    expect(Object.keys(rows[0]!).sort()).toEqual(['connectedAt', 'connectionId', 'lastActiveAt', 'sourceIp', 'state']);
  });
});
