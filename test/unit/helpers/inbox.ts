/**
 * The inbox table in handler tests: the real InboxStore over the mocked DynamoDB client (see
 * aws.ts), and canned answers for each of its reads, told apart by their inputs.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { InboxStore, notificationKey, recentConnectionKey, type InboxStoreOptions } from '../../../src/commons/clients/inbox-store';
import { dynamo } from './aws';

export const INBOX_TABLE_NAME = 'ws-notify-test-Inbox';
export const INBOX_RETENTION_SECONDS = 86_400;

type Item = Record<string, AttributeValue>;

/** The KeyConditionExpressions of the store's reads of the table (not of an index). */
export const RECENT_CONNECTIONS_QUERY = '#userId = :userId AND begins_with(#sk, :prefix)';
export const READ_AFTER_QUERY = '#userId = :userId AND #sk BETWEEN :from AND :last';

export function inboxStore(options: Partial<InboxStoreOptions> = {}): InboxStore {
  return new InboxStore({
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: INBOX_TABLE_NAME,
    retentionSeconds: INBOX_RETENTION_SECONDS,
    ...options,
  });
}

export interface StoredItem {
  readonly seq: number;
  readonly id?: string;
  /** JSON text. */
  readonly data?: string;
  /** ms since epoch. */
  readonly storedAt: number;
  readonly tombstone?: boolean;
}

/** A notification item as the inbox holds it. */
export function notificationItem(userId: string, stored: StoredItem): Item {
  const base: Item = {
    userId: { S: userId },
    sk: { S: notificationKey(stored.seq) },
    seq: { N: String(stored.seq) },
    storedAt: { N: String(stored.storedAt) },
    ttl: { N: String(Math.ceil(stored.storedAt / 1000) + INBOX_RETENTION_SECONDS) },
  };
  if (stored.tombstone === true) return { ...base, tombstone: { BOOL: true } };
  return { ...base, id: { S: stored.id ?? `n-${stored.seq}` }, data: { S: stored.data ?? 'null' } };
}

export interface InboxContents {
  readonly userId?: string;
  /** The head's `latest`; no head when absent. */
  readonly latest?: number;
  /** What the index by id answers (every id query). */
  readonly copies?: readonly { readonly seq: number; readonly id: string; readonly storedAt: number }[];
  /** Recent-connection pointers: connection id → expiresAt (unix seconds). */
  readonly recent?: Readonly<Record<string, number>>;
  /** What a read after a cursor answers, one page. */
  readonly notifications?: readonly StoredItem[];
}

/** The inbox answers each read from `contents`; puts and updates succeed. */
export function givenInbox(contents: InboxContents = {}): void {
  const userId = contents.userId ?? '1234';
  dynamo
    .on(GetItemCommand, { TableName: INBOX_TABLE_NAME })
    .resolves(contents.latest === undefined ? {} : { Item: { userId: { S: userId }, sk: { S: 'h' }, latest: { N: String(contents.latest) } } });
  dynamo.on(QueryCommand, { TableName: INBOX_TABLE_NAME, IndexName: 'byId' }).resolves({
    Items: (contents.copies ?? []).map((copy) => ({
      userId: { S: userId },
      sk: { S: notificationKey(copy.seq) },
      id: { S: copy.id },
      storedAt: { N: String(copy.storedAt) },
    })),
  });
  dynamo.on(QueryCommand, { TableName: INBOX_TABLE_NAME, KeyConditionExpression: RECENT_CONNECTIONS_QUERY }).resolves({
    Items: Object.entries(contents.recent ?? {}).map(([connectionId, expiresAt]) => ({
      userId: { S: userId },
      sk: { S: recentConnectionKey(connectionId) },
      connectionId: { S: connectionId },
      expiresAt: { N: String(expiresAt) },
      ttl: { N: String(expiresAt) },
    })),
  });
  dynamo
    .on(QueryCommand, { TableName: INBOX_TABLE_NAME, KeyConditionExpression: READ_AFTER_QUERY })
    .resolves({ Items: (contents.notifications ?? []).map((stored) => notificationItem(userId, stored)) });
  dynamo.on(PutItemCommand, { TableName: INBOX_TABLE_NAME }).resolves({});
  dynamo.on(UpdateItemCommand, { TableName: INBOX_TABLE_NAME }).resolves({});
}

/** The notifications put in the inbox. */
export function inboxPuts(): Item[] {
  return dynamo
    .commandCalls(PutItemCommand)
    .filter((call) => call.args[0].input.TableName === INBOX_TABLE_NAME)
    .map((call) => call.args[0].input.Item ?? {});
}
