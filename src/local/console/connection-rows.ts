/** The console's connection table (docs/console.md): the gateway's open connections joined with the table's records. */
import type { ConnectionRow, ConnectionRowState } from '../../console/console-api';
import { isPastTtl, isTokenExpired, type ConnectionRecord } from '../../commons/connection-record';
import type { ConnectionView } from '../gateway';

export type LiveConnection = Pick<ConnectionView, 'connectionId' | 'connectedAt' | 'lastActiveAt' | 'state' | 'identity'>;

function recordFields(record: ConnectionRecord): Pick<ConnectionRow, 'userId' | 'authMode' | 'expiresAt'> {
  return record.state === 'authorized'
    ? { userId: record.userId, authMode: record.authMode, expiresAt: record.expiresAt }
    : { authMode: record.authMode };
}

/**
 * One row per open connection and per record without one, oldest first. Records past their
 * `ttl` count as absent (DynamoDB deletes them late). Only the listed fields are copied: nothing
 * else of a record or a connection (a token, a header) can reach the page.
 */
export function buildConnectionRows(live: Iterable<LiveConnection>, records: readonly ConnectionRecord[], nowMs: number): ConnectionRow[] {
  const byId = new Map<string, ConnectionRecord>();
  for (const record of records) {
    if (!isPastTtl(record.ttl, nowMs)) byId.set(record.connectionId, record);
  }
  const rows: ConnectionRow[] = [];
  for (const connection of live) {
    if (connection.state === 'closed') continue;
    const record = byId.get(connection.connectionId);
    byId.delete(connection.connectionId);
    let state: ConnectionRowState;
    if (connection.state === 'closing') state = 'closing';
    else if (record === undefined) state = 'no-record';
    else if (record.state === 'pending') state = 'pending';
    else state = isTokenExpired(record.expiresAt, nowMs) ? 'expired' : 'authorized';
    rows.push({
      connectionId: connection.connectionId,
      state,
      ...(record === undefined ? {} : recordFields(record)),
      connectedAt: connection.connectedAt,
      lastActiveAt: connection.lastActiveAt,
      sourceIp: connection.identity.sourceIp,
    });
  }
  for (const record of byId.values()) {
    rows.push({ connectionId: record.connectionId, state: 'record-only', ...recordFields(record), connectedAt: record.connectedAt });
  }
  return rows.sort((a, b) => a.connectedAt - b.connectedAt || a.connectionId.localeCompare(b.connectionId));
}
