/**
 * The connections table (docs/architecture.md "Connection record") over the DynamoDB client.
 * Reads are strongly consistent, and a record whose `ttl` has passed is treated as absent on
 * every read, because DynamoDB deletes expired items late. Conditional writes never re-create a
 * record that was deleted in the meantime.
 */
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { toUnixSeconds } from '../clock';
import { DEFAULT_USER_INDEX_NAME } from '../constants';
import {
  AUTH_MODES,
  isPastTtl,
  isTokenExpired,
  type AuthMode,
  type AuthorizedConnection,
  type ConnectionRecord,
} from '../connection-record';
import { ConnectionChangedError, ConnectionStoreError, InvalidRecordError } from '../errors';
import { num, readNumber, readString, str, type Item } from './dynamodb-attributes';


export interface ConnectionStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The sparse index by user id; `byUser` unless told otherwise. */
  readonly userIndexName?: string;
}

export interface AuthorizeInput {
  readonly connectionId: string;
  readonly userId: string;
  /** The token's `exp`, unix seconds. */
  readonly expiresAt: number;
  /** ms since epoch; also the time the conditions are checked against. */
  readonly authorizedAt: number;
}

/** An entry of the user index: an authorized connection of that user. */
export interface UserConnection {
  readonly connectionId: string;
  readonly userId: string;
  readonly expiresAt: number;
}

/** BatchGetItem reads at most 100 keys per request. */
export const BATCH_GET_MAX_KEYS = 100;
/** BatchGetItem requests per chunk while DynamoDB leaves keys unprocessed. */
const BATCH_GET_ATTEMPTS = 3;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));



function invalid(connectionId: string, attribute: string): InvalidRecordError {
  return new InvalidRecordError(`connection record ${connectionId} has no valid "${attribute}"`);
}

/** DynamoDB item → record; InvalidRecordError for an item that is not a connection record. */
export function recordFromItem(item: Item): ConnectionRecord {
  const connectionId = readString(item, 'connectionId');
  if (connectionId === undefined) throw new InvalidRecordError('connection record has no connectionId');
  const authMode = readString(item, 'authMode');
  const state = readString(item, 'state');
  const connectedAt = readNumber(item, 'connectedAt');
  const ttl = readNumber(item, 'ttl');
  const failedAttempts = readNumber(item, 'failedAttempts') ?? 0;
  if (authMode === undefined || !(AUTH_MODES as readonly string[]).includes(authMode)) throw invalid(connectionId, 'authMode');
  if (connectedAt === undefined) throw invalid(connectionId, 'connectedAt');
  if (ttl === undefined) throw invalid(connectionId, 'ttl');
  const base = { connectionId, authMode: authMode as AuthMode, connectedAt, ttl, failedAttempts };
  if (state === 'pending') return { ...base, state };
  if (state !== 'authorized') throw invalid(connectionId, 'state');
  const userId = readString(item, 'userId');
  const expiresAt = readNumber(item, 'expiresAt');
  const authorizedAt = readNumber(item, 'authorizedAt');
  if (userId === undefined) throw invalid(connectionId, 'userId');
  if (expiresAt === undefined) throw invalid(connectionId, 'expiresAt');
  if (authorizedAt === undefined) throw invalid(connectionId, 'authorizedAt');
  return { ...base, state, userId, expiresAt, authorizedAt };
}

/** Record → DynamoDB item. Only authorized records carry `userId`, which keeps the user index sparse. */
export function recordToItem(record: ConnectionRecord): Item {
  const item: Item = {
    connectionId: str(record.connectionId),
    state: str(record.state),
    authMode: str(record.authMode),
    connectedAt: num(record.connectedAt),
    failedAttempts: num(record.failedAttempts),
    ttl: num(record.ttl),
  };
  if (record.state === 'authorized') {
    item.userId = str(record.userId);
    item.authorizedAt = num(record.authorizedAt);
    item.expiresAt = num(record.expiresAt);
  }
  return item;
}

function storeError(operation: string, cause: unknown): ConnectionStoreError {
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new ConnectionStoreError(`DynamoDB ${operation} failed (${detail})`, { cause });
}

export class ConnectionStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #userIndexName: string;

  constructor(options: ConnectionStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#userIndexName = options.userIndexName ?? DEFAULT_USER_INDEX_NAME;
  }

  /** Writes the record (a new connection). */
  async put(record: ConnectionRecord): Promise<void> {
    try {
      await this.#client.send(new PutItemCommand({ TableName: this.#tableName, Item: recordToItem(record) }));
    } catch (error) {
      throw storeError('PutItem', error);
    }
  }

  /** The record, read strongly consistently; undefined when absent or past its ttl. */
  async get(connectionId: string, nowMs: number): Promise<ConnectionRecord | undefined> {
    let item: Item | undefined;
    try {
      const output = await this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: { connectionId: str(connectionId) }, ConsistentRead: true }),
      );
      item = output.Item;
    } catch (error) {
      throw storeError('GetItem', error);
    }
    if (item === undefined) return undefined;
    const record = recordFromItem(item);
    return isPastTtl(record.ttl, nowMs) ? undefined : record;
  }

  /**
   * The records of many connections, read strongly consistently with BatchGetItem (one request per
   * 100 keys instead of one GetItem each). The map holds every connection it could read: its record,
   * or undefined when absent or past its ttl. A connection whose key DynamoDB left unprocessed after
   * a few attempts, or whose item is not a valid record, is not in the map: the caller reads it on
   * its own (`get`). A failed request is a ConnectionStoreError.
   */
  async getMany(connectionIds: readonly string[], nowMs: number): Promise<Map<string, ConnectionRecord | undefined>> {
    const records = new Map<string, ConnectionRecord | undefined>();
    const unique = [...new Set(connectionIds)];
    for (let start = 0; start < unique.length; start += BATCH_GET_MAX_KEYS) {
      let pending = unique.slice(start, start + BATCH_GET_MAX_KEYS);
      for (let attempt = 1; pending.length > 0 && attempt <= BATCH_GET_ATTEMPTS; attempt += 1) {
        if (attempt > 1) await sleep(25 * 2 ** (attempt - 2));
        let output;
        try {
          output = await this.#client.send(
            new BatchGetItemCommand({ RequestItems: { [this.#tableName]: { Keys: pending.map((id) => ({ connectionId: str(id) })), ConsistentRead: true } } }),
          );
        } catch (error) {
          throw storeError('BatchGetItem', error);
        }
        const items = output?.Responses?.[this.#tableName];
        if (items === undefined) throw storeError('BatchGetItem', new Error('no Responses for the table'));
        const unprocessed = new Set(
          (output.UnprocessedKeys?.[this.#tableName]?.Keys ?? []).map((key) => readString(key, 'connectionId')).filter((id) => id !== undefined),
        );
        const found = new Map<string, Item>();
        for (const item of items) {
          const id = readString(item, 'connectionId');
          if (id !== undefined) found.set(id, item);
        }
        for (const id of pending) {
          if (unprocessed.has(id)) continue;
          const item = found.get(id);
          if (item === undefined) {
            records.set(id, undefined);
            continue;
          }
          try {
            const record = recordFromItem(item);
            records.set(id, isPastTtl(record.ttl, nowMs) ? undefined : record);
          } catch {
            // Not a valid record: left for `get`, which reports it.
          }
        }
        pending = pending.filter((id) => unprocessed.has(id));
      }
    }
    return records;
  }

  /**
   * Marks the connection authorized for the user (first authorize or renewal) and resets the
   * failed-attempt counter. Only an existing, unexpired record that is pending or already belongs
   * to the same user is updated; otherwise ConnectionChangedError and nothing is written.
   */
  async authorize(input: AuthorizeInput): Promise<AuthorizedConnection> {
    let attributes: Item | undefined;
    try {
      const output = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: { connectionId: str(input.connectionId) },
          UpdateExpression:
            'SET #state = :authorized, #userId = :userId, #expiresAt = :expiresAt, #authorizedAt = :authorizedAt, #failedAttempts = :zero',
          ConditionExpression:
            'attribute_exists(#connectionId) AND #ttl > :now AND (attribute_not_exists(#userId) OR #userId = :userId)',
          ExpressionAttributeNames: {
            '#connectionId': 'connectionId',
            '#state': 'state',
            '#userId': 'userId',
            '#expiresAt': 'expiresAt',
            '#authorizedAt': 'authorizedAt',
            '#failedAttempts': 'failedAttempts',
            '#ttl': 'ttl',
          },
          ExpressionAttributeValues: {
            ':authorized': str('authorized'),
            ':userId': str(input.userId),
            ':expiresAt': num(input.expiresAt),
            ':authorizedAt': num(input.authorizedAt),
            ':zero': num(0),
            ':now': num(toUnixSeconds(input.authorizedAt)),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      attributes = output.Attributes;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ConnectionChangedError(input.connectionId, { cause: error });
      throw storeError('UpdateItem', error);
    }
    if (attributes === undefined) throw new InvalidRecordError(`UpdateItem returned no attributes for ${input.connectionId}`);
    const record = recordFromItem(attributes);
    if (record.state !== 'authorized') throw invalid(input.connectionId, 'state');
    return record;
  }

  /**
   * Adds one failed authorize attempt and returns the new count, or undefined when the record
   * no longer exists (the counter never re-creates a deleted record).
   */
  async recordFailedAttempt(connectionId: string): Promise<number | undefined> {
    try {
      const output = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: { connectionId: str(connectionId) },
          UpdateExpression: 'ADD #failedAttempts :one',
          ConditionExpression: 'attribute_exists(#connectionId)',
          ExpressionAttributeNames: { '#failedAttempts': 'failedAttempts', '#connectionId': 'connectionId' },
          ExpressionAttributeValues: { ':one': num(1) },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const count = output.Attributes === undefined ? undefined : readNumber(output.Attributes, 'failedAttempts');
      if (count === undefined) throw invalid(connectionId, 'failedAttempts');
      return count;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      if (error instanceof InvalidRecordError) throw error;
      throw storeError('UpdateItem', error);
    }
  }

  /**
   * Deletes the record only while it is still pending, in one conditional DeleteItem: true when it
   * was deleted, false when it was authorized or deleted meanwhile (nothing is written then). The
   * authorize deadline closes a connection only after this succeeded, so it never closes one that
   * authorized in between, and `authorize` (which needs the record) can no longer succeed after it.
   */
  async deletePending(connectionId: string): Promise<boolean> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#tableName,
          Key: { connectionId: str(connectionId) },
          ConditionExpression: '#state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pending': str('pending') },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw storeError('DeleteItem', error);
    }
  }

  /** Deletes the record; deleting an absent record is not an error. */
  async delete(connectionId: string): Promise<void> {
    try {
      await this.#client.send(new DeleteItemCommand({ TableName: this.#tableName, Key: { connectionId: str(connectionId) } }));
    } catch (error) {
      throw storeError('DeleteItem', error);
    }
  }

  /**
   * The user's authorized connections whose token and record have not expired, one page of the
   * user index at a time (the index holds only authorized records).
   */
  async *queryByUser(userId: string, nowMs: number): AsyncGenerator<UserConnection[], void, undefined> {
    let exclusiveStartKey: Item | undefined;
    do {
      let items: Item[];
      try {
        const output = await this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            IndexName: this.#userIndexName,
            KeyConditionExpression: '#userId = :userId',
            ExpressionAttributeNames: { '#userId': 'userId' },
            ExpressionAttributeValues: { ':userId': str(userId) },
            ExclusiveStartKey: exclusiveStartKey,
          }),
        );
        items = output.Items ?? [];
        exclusiveStartKey = output.LastEvaluatedKey;
      } catch (error) {
        throw storeError('Query', error);
      }
      const page: UserConnection[] = [];
      for (const item of items) {
        const connectionId = readString(item, 'connectionId');
        const expiresAt = readNumber(item, 'expiresAt');
        const ttl = readNumber(item, 'ttl');
        if (connectionId === undefined || expiresAt === undefined || ttl === undefined) continue;
        if (isPastTtl(ttl, nowMs) || isTokenExpired(expiresAt, nowMs)) continue;
        page.push({ connectionId, userId, expiresAt });
      }
      yield page;
    } while (exclusiveStartKey !== undefined);
  }
}
