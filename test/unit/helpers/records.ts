/** Connection records and their DynamoDB items, for mocked GetItem / Query answers. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { recordToItem } from '../../../src/commons/clients/connection-store';
import { newAuthorizedConnection, newPendingConnection, type ConnectionRecord } from '../../../src/commons/connection-record';

export function pendingRecord(connectionId: string, connectedAt = Date.now()): ConnectionRecord {
  return newPendingConnection({ connectionId, connectedAt });
}

/**
 * A token expiry an hour after this module loaded: the same in every record a test file makes, so
 * that two records built apart compare equal (read from the clock at each call, they differed
 * when the calls straddled a second).
 */
const DEFAULT_EXPIRES_AT = Math.floor(Date.now() / 1000) + 3600;

export function authorizedRecord(
  connectionId: string,
  options: { userId?: string; expiresAt?: number; connectedAt?: number; failedAttempts?: number } = {},
): ConnectionRecord {
  const connectedAt = options.connectedAt ?? Date.now();
  return {
    ...newAuthorizedConnection({
      connectionId,
      connectedAt,
      authorizedAt: connectedAt,
      userId: options.userId ?? '1234',
      expiresAt: options.expiresAt ?? DEFAULT_EXPIRES_AT,
      authMode: 'authorizer',
    }),
    failedAttempts: options.failedAttempts ?? 0,
  };
}

export function item(record: ConnectionRecord): Record<string, AttributeValue> {
  return recordToItem(record);
}

/** A user-index entry (the index projects expiresAt and ttl besides the keys). */
export function indexItem(connectionId: string, userId: string, expiresAt: number, ttl: number): Record<string, AttributeValue> {
  return {
    connectionId: { S: connectionId },
    userId: { S: userId },
    expiresAt: { N: String(expiresAt) },
    ttl: { N: String(ttl) },
  };
}
