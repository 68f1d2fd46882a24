/**
 * The inbox table (docs/architecture.md "Inbox") over the DynamoDB client: every user's stored
 * notifications, the highest `seq` stored for them, and the pointers to their recently authorized
 * connections, all in the user's partition. Every read is strongly consistent; nothing needs a
 * transaction.
 *
 * A notification with `seq` S is written only after S − 1 was (a conditional put on the next free
 * `seq`), so `seq` is strictly increasing in storage order and never reused. An `id` already in the
 * user's inbox is not stored again: the local secondary index by id finds it. Two concurrent stores
 * of the same id both check the index after writing; the one with the higher `seq` turns its item
 * into a tombstone and reports the lower one.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { DEFAULT_INBOX_ID_INDEX_NAME, DEFAULT_INBOX_RETENTION_SECONDS, MAX_REPLAYED_PER_RESUME } from '../constants';
import { InboxContentionError, InboxStoreError, InvalidInboxItemError } from '../errors';
import { num, readNumber, readString, str, type Item } from './dynamodb-attributes';
import {
  isPastRetention,
  isTruncated,
  notificationTtl,
  type InboxReplay,
  type RecentConnection,
  type StoredNotification,
  type StoreResult,
} from '../inbox';


export interface InboxStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The local secondary index by notification id; `byId` unless told otherwise. */
  readonly idIndexName?: string;
  /** The stage's `inboxRetentionSeconds`; 24 h unless told otherwise. */
  readonly retentionSeconds?: number;
  /** Conditional puts one store tries before it gives up with InboxContentionError. Default 100. */
  readonly maxStoreAttempts?: number;
}

export interface StoreInput {
  readonly userId: string;
  readonly id: string;
  /** `data` as JSON text. */
  readonly dataJson: string;
  /** ms since epoch; also the time retention is checked against. */
  readonly storedAt: number;
}

/** `seq` as a sort key: zero-padded to the 16 digits of the largest safe integer, so keys sort as numbers. */
const SEQ_DIGITS = 16;
const HEAD_KEY = 'h';
const NOTIFICATION_PREFIX = 'n#';
const RECENT_CONNECTION_PREFIX = 'c#';
/**
 * Each round of concurrent puts for a user has one winner, so a store among N concurrent ones for
 * the same user needs about N attempts; 100 leaves room for bursts from many instances while still
 * ending a store that could never win (the queue then delivers the message again).
 */
const DEFAULT_MAX_STORE_ATTEMPTS = 100;
const FIRST_NOTIFICATION_KEY = notificationKey(0);
const LAST_NOTIFICATION_KEY = `${NOTIFICATION_PREFIX}${'9'.repeat(SEQ_DIGITS)}`;


export function notificationKey(seq: number): string {
  return `${NOTIFICATION_PREFIX}${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

export function recentConnectionKey(connectionId: string): string {
  return `${RECENT_CONNECTION_PREFIX}${connectionId}`;
}



/** The `seq` of a notification's sort key, or undefined when the key is not one. */
function seqOfKey(sk: string | undefined): number | undefined {
  if (sk === undefined || !sk.startsWith(NOTIFICATION_PREFIX)) return undefined;
  const digits = sk.slice(NOTIFICATION_PREFIX.length);
  if (!/^\d{16}$/.test(digits)) return undefined;
  const seq = Number(digits);
  return Number.isSafeInteger(seq) && seq >= 1 ? seq : undefined;
}

/** A notification item as read: `notification` is absent for a tombstone. */
interface NotificationItem {
  readonly seq: number;
  readonly storedAt: number;
  readonly notification?: StoredNotification;
}

/** What a scan after a cursor found. */
interface AfterScan {
  /** Live, retained notifications in ascending `seq`. */
  readonly live: StoredNotification[];
  /** The highest `seq` read, past retention and tombstones included; 0 for none. */
  readonly highestSeen: number;
  /** The lowest `seq` read that is not past its retention, tombstones included. */
  readonly oldestRetained: number | undefined;
}

function notificationFromItem(item: Item): NotificationItem {
  const sk = readString(item, 'sk');
  const seq = seqOfKey(sk);
  if (seq === undefined) throw new InvalidInboxItemError(`inbox item ${sk ?? '(no sk)'} has no valid notification key`);
  const storedAt = readNumber(item, 'storedAt');
  if (storedAt === undefined) throw new InvalidInboxItemError(`inbox notification ${seq} has no valid "storedAt"`);
  if (item.tombstone?.BOOL === true) return { seq, storedAt };
  const id = readString(item, 'id');
  const dataJson = readString(item, 'data');
  if (id === undefined) throw new InvalidInboxItemError(`inbox notification ${seq} has no valid "id"`);
  if (dataJson === undefined) throw new InvalidInboxItemError(`inbox notification ${seq} has no valid "data"`);
  return { seq, storedAt, notification: { seq, id, dataJson, storedAt } };
}

function storeError(operation: string, cause: unknown): InboxStoreError {
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new InboxStoreError(`DynamoDB ${operation} on the inbox failed (${detail})`, { cause });
}

export class InboxStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #idIndexName: string;
  readonly #retentionSeconds: number;
  readonly #maxStoreAttempts: number;
  /** The store in progress for each user: stores of one user by this instance run one at a time, so they never compete for a `seq`. */
  readonly #storing = new Map<string, Promise<unknown>>();

  constructor(options: InboxStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#idIndexName = options.idIndexName ?? DEFAULT_INBOX_ID_INDEX_NAME;
    this.#retentionSeconds = options.retentionSeconds ?? DEFAULT_INBOX_RETENTION_SECONDS;
    this.#maxStoreAttempts = options.maxStoreAttempts ?? DEFAULT_MAX_STORE_ATTEMPTS;
  }

  /**
   * Stores the notification in the user's inbox and returns its `seq`. An id already in the inbox
   * (and not past its retention) is not stored again: its first `seq` is returned, with `duplicate`.
   * Throws InboxContentionError when concurrent stores took every `seq` it tried (nothing stored),
   * InboxStoreError when DynamoDB fails.
   */
  async store(input: StoreInput): Promise<StoreResult> {
    const previous = this.#storing.get(input.userId);
    const current = (previous ?? Promise.resolve()).catch(() => undefined).then(() => this.#store(input));
    this.#storing.set(input.userId, current);
    try {
      return await current;
    } finally {
      if (this.#storing.get(input.userId) === current) this.#storing.delete(input.userId);
    }
  }

  async #store(input: StoreInput): Promise<StoreResult> {
    const { userId, id, storedAt } = input;
    const [existing, latest] = await Promise.all([this.#retainedSeqsOf(userId, id, storedAt), this.latest(userId)]);
    const [first] = existing;
    if (first !== undefined) {
      // Raising `latest` also repairs a head left behind by a store that failed after its put.
      await Promise.all([this.#keepOnlyFirst(userId, existing), this.#raiseLatest(userId, first)]);
      return { seq: first, duplicate: true };
    }
    const seq = await this.#putNext(input, latest);
    const [copies] = await Promise.all([this.#retainedSeqsOf(userId, id, storedAt), this.#raiseLatest(userId, seq)]);
    const [lowest = seq] = copies;
    // A concurrent store of the same id that took a lower seq wins: ours becomes a tombstone.
    await this.#keepOnlyFirst(userId, copies);
    return { seq: lowest, duplicate: lowest !== seq };
  }

  /** Turns every copy of an id but the first into a tombstone (normally there is none). */
  async #keepOnlyFirst(userId: string, seqs: readonly number[]): Promise<void> {
    await Promise.all(seqs.slice(1).map((seq) => this.#tombstone(userId, seq)));
  }

  /**
   * Puts the notification at the first free `seq` after `latest`, where the previous `seq` is known
   * to exist. A put whose `seq` was taken proves that `seq` exists, so the next candidate, the one
   * after the highest stored, is tried at once: no back-off, since every round of concurrent puts
   * for the user has a winner, and waiting would only stretch the batch the message belongs to.
   */
  async #putNext(input: StoreInput, latest: number): Promise<number> {
    let seq = latest + 1;
    for (let attempt = 1; ; attempt += 1) {
      if (await this.#putIfFree(input, seq)) return seq;
      if (attempt >= this.#maxStoreAttempts) throw new InboxContentionError(input.userId, attempt);
      seq = Math.max(seq, await this.#highestSeq(input.userId)) + 1;
    }
  }

  /** Puts the notification at `seq` unless an item holds it; false when one does. */
  async #putIfFree(input: StoreInput, seq: number): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            userId: str(input.userId),
            sk: str(notificationKey(seq)),
            seq: num(seq),
            id: str(input.id),
            data: str(input.dataJson),
            storedAt: num(input.storedAt),
            ttl: num(notificationTtl(input.storedAt, this.#retentionSeconds)),
          },
          ConditionExpression: 'attribute_not_exists(#sk)',
          ExpressionAttributeNames: { '#sk': 'sk' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw storeError('PutItem', error);
    }
  }

  /** The highest `seq` with an item in the user's partition (tombstones included); 0 for none. */
  async #highestSeq(userId: string): Promise<number> {
    let items: Item[];
    try {
      const output = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: '#userId = :userId AND #sk BETWEEN :first AND :last',
          ExpressionAttributeNames: { '#userId': 'userId', '#sk': 'sk' },
          ExpressionAttributeValues: { ':userId': str(userId), ':first': str(FIRST_NOTIFICATION_KEY), ':last': str(LAST_NOTIFICATION_KEY) },
          ProjectionExpression: '#sk',
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      );
      items = output.Items ?? [];
    } catch (error) {
      throw storeError('Query', error);
    }
    const [item] = items;
    return item === undefined ? 0 : (seqOfKey(readString(item, 'sk')) ?? 0);
  }

  /** The `seq`s of the notifications with that id that are not past their retention, ascending (tombstones carry no id). */
  async #retainedSeqsOf(userId: string, id: string, nowMs: number): Promise<number[]> {
    const seqs: number[] = [];
    const pages = this.#queryPages({
      TableName: this.#tableName,
      IndexName: this.#idIndexName,
      KeyConditionExpression: '#userId = :userId AND #id = :id',
      ExpressionAttributeNames: { '#userId': 'userId', '#id': 'id' },
      ExpressionAttributeValues: { ':userId': str(userId), ':id': str(id) },
      ConsistentRead: true,
    });
    for await (const items of pages) {
      for (const item of items) {
        const seq = seqOfKey(readString(item, 'sk'));
        const storedAt = readNumber(item, 'storedAt');
        if (seq === undefined || storedAt === undefined) throw new InvalidInboxItemError(`inbox index entry for id ${id} has no valid key or "storedAt"`);
        if (isPastRetention(storedAt, this.#retentionSeconds, nowMs)) continue;
        seqs.push(seq);
      }
    }
    return seqs.sort((a, b) => a - b);
  }

  /** Sets the user's `latest` to `seq` unless it is already as high (a failed condition is the normal "already higher"). */
  async #raiseLatest(userId: string, seq: number): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: { userId: str(userId), sk: str(HEAD_KEY) },
          UpdateExpression: 'SET #latest = :seq',
          ConditionExpression: 'attribute_not_exists(#latest) OR #latest < :seq',
          ExpressionAttributeNames: { '#latest': 'latest' },
          ExpressionAttributeValues: { ':seq': num(seq) },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw storeError('UpdateItem', error);
    }
  }

  /** Turns a notification into a tombstone: it keeps its `seq` and retention, loses its id and data. */
  async #tombstone(userId: string, seq: number): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: { userId: str(userId), sk: str(notificationKey(seq)) },
          UpdateExpression: 'SET #tombstone = :true REMOVE #id, #data',
          ConditionExpression: 'attribute_exists(#sk)',
          ExpressionAttributeNames: { '#tombstone': 'tombstone', '#id': 'id', '#data': 'data', '#sk': 'sk' },
          ExpressionAttributeValues: { ':true': { BOOL: true } },
        }),
      );
    } catch (error) {
      // Gone already (nothing to hide): only DynamoDB's TTL deletes notifications.
      if (error instanceof ConditionalCheckFailedException) return;
      throw storeError('UpdateItem', error);
    }
  }

  /** The highest `seq` stored for the user (read strongly consistently); 0 for none. */
  async latest(userId: string): Promise<number> {
    let item: Item | undefined;
    try {
      const output = await this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: { userId: str(userId), sk: str(HEAD_KEY) }, ConsistentRead: true }),
      );
      item = output.Item;
    } catch (error) {
      throw storeError('GetItem', error);
    }
    if (item === undefined) return 0;
    const latest = readNumber(item, 'latest');
    if (latest === undefined || !Number.isSafeInteger(latest) || latest < 0) throw new InvalidInboxItemError(`the inbox head of user ${userId} has no valid "latest"`);
    return latest;
  }

  /**
   * The live notifications with `seq` > `after`, ascending, at most `limit`, read strongly
   * consistently; tombstones and notifications past their retention are skipped. Also tells
   * whether more remain, the user's `latest`, and whether the inbox cannot show that it holds
   * everything after `after`.
   *
   * When no more remain, every live notification up to `latest` (and after `after`) is returned:
   * `latest` is read before the notifications, so each `seq` up to it was stored before the read,
   * and a read in ascending `seq` sees them all, because a `seq` is only ever stored after the one
   * before it. A client may therefore take `latest` as the `seq` up to which it holds everything.
   */
  async readAfter(userId: string, after: number, nowMs: number, limit: number = MAX_REPLAYED_PER_RESUME): Promise<InboxReplay> {
    const head = await this.latest(userId);
    const scan = await this.#scanAfter(userId, after, nowMs, limit + 1);
    const latest = Math.max(head, scan.highestSeen);
    return {
      notifications: scan.live.slice(0, limit),
      latest,
      more: scan.live.length > limit,
      truncated: isTruncated(after, latest, scan.oldestRetained),
    };
  }

  /** Reads the notifications after `after` in ascending `seq` until `wanted` live ones are found or none remain. */
  async #scanAfter(userId: string, after: number, nowMs: number, wanted: number): Promise<AfterScan> {
    const live: StoredNotification[] = [];
    let highestSeen = 0;
    let oldestRetained: number | undefined;
    const pages = this.#queryPages(
      {
        TableName: this.#tableName,
        KeyConditionExpression: '#userId = :userId AND #sk BETWEEN :from AND :last',
        ExpressionAttributeNames: { '#userId': 'userId', '#sk': 'sk' },
        ExpressionAttributeValues: { ':userId': str(userId), ':from': str(notificationKey(after + 1)), ':last': str(LAST_NOTIFICATION_KEY) },
        ConsistentRead: true,
      },
      () => wanted - live.length,
    );
    for await (const items of pages) {
      for (const item of items) {
        const read = notificationFromItem(item);
        highestSeen = Math.max(highestSeen, read.seq);
        if (isPastRetention(read.storedAt, this.#retentionSeconds, nowMs)) continue;
        oldestRetained ??= read.seq;
        if (read.notification !== undefined && live.length < wanted) live.push(read.notification);
      }
      if (live.length >= wanted) break;
    }
    return { live, highestSeen, oldestRetained };
  }

  /** Writes the pointer the fan-out reads for a connection just authorized (DynamoDB deletes it after `expiresAt`). */
  async putRecentConnection(pointer: RecentConnection): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            userId: str(pointer.userId),
            sk: str(recentConnectionKey(pointer.connectionId)),
            connectionId: str(pointer.connectionId),
            expiresAt: num(pointer.expiresAt),
            ttl: num(Math.ceil(pointer.expiresAt)),
          },
        }),
      );
    } catch (error) {
      throw storeError('PutItem', error);
    }
  }

  /** The user's recent-connection pointers that have not expired, read strongly consistently. */
  async recentConnections(userId: string, nowMs: number): Promise<RecentConnection[]> {
    const pointers: RecentConnection[] = [];
    const pages = this.#queryPages({
      TableName: this.#tableName,
      KeyConditionExpression: '#userId = :userId AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#userId': 'userId', '#sk': 'sk' },
      ExpressionAttributeValues: { ':userId': str(userId), ':prefix': str(RECENT_CONNECTION_PREFIX) },
      ConsistentRead: true,
    });
    for await (const items of pages) {
      for (const item of items) {
        const connectionId = readString(item, 'connectionId');
        const expiresAt = readNumber(item, 'expiresAt');
        if (connectionId === undefined || expiresAt === undefined || expiresAt * 1000 <= nowMs) continue;
        pointers.push({ userId, connectionId, expiresAt });
      }
    }
    return pointers;
  }

  /**
   * A Query's items, page after page, until the last page or until the caller stops reading;
   * `limit` (asked before each page) caps that page's items. A failed page is an InboxStoreError.
   */
  async *#queryPages(input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>, limit?: () => number): AsyncGenerator<Item[]> {
    let exclusiveStartKey: Item | undefined;
    do {
      let output: QueryCommandOutput;
      try {
        output = await this.#client.send(new QueryCommand({ ...input, ...(limit !== undefined ? { Limit: limit() } : {}), ExclusiveStartKey: exclusiveStartKey }));
      } catch (error) {
        throw storeError('Query', error);
      }
      exclusiveStartKey = output.LastEvaluatedKey;
      yield output.Items ?? [];
    } while (exclusiveStartKey !== undefined);
  }
}
