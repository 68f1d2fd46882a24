/**
 * DynamoDB's Time to Live, which dynalite lacks: every interval, each table's items whose TTL
 * attribute (a Number, seconds since the epoch) is past are deleted, by AWS's rules (not a Number,
 * or more than five years past: never expires). The functions ignore expired items on read, as AWS
 * deletes within days; the sweep keeps a long-running stack's memory bounded. Each delete is
 * conditional on the item still being expired (it may have been written again since the scan).
 */
import { ConditionalCheckFailedException, DeleteItemCommand, paginateScan, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface TtlTable {
  readonly tableName: string;
  readonly ttlAttribute: string;
  /** The partition key's name, then the sort key's if the table has one. */
  readonly keyNames: readonly string[];
}

/** AWS leaves alone an item whose TTL is more than five years in the past. */
const FIVE_YEARS_SECONDS = 5 * 365 * 86_400;

export class TtlSweeper {
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<number> | undefined;
  #closed = false;
  #deleted = 0;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: readonly TtlTable[],
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) throw new TypeError(`the TTL sweep interval must be a whole number of milliseconds, 1 or more (got ${intervalMs})`);
  }

  /** Items deleted since the sweeper was made. */
  get deletedCount(): number {
    return this.#deleted;
  }

  /** Sweeps every `intervalMs` (the first one interval from now) until closed; the timer does not keep the process alive. */
  start(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#schedule();
  }

  /** Deletes every expired item now (waiting for a sweep in progress first); resolves with how many it deleted. */
  async sweep(): Promise<number> {
    while (this.#sweeping !== undefined) await this.#sweeping.catch(() => undefined);
    const sweeping = this.#sweepTables();
    this.#sweeping = sweeping;
    try {
      return await sweeping;
    } finally {
      this.#sweeping = undefined;
    }
  }

  /** Stops the timer and waits for a sweep in progress. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#sweeping?.catch(() => undefined);
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      void this.sweep()
        .catch((error: unknown) => this.onError(error))
        .finally(() => {
          if (!this.#closed) this.#schedule();
        });
    }, this.intervalMs);
    this.#timer.unref();
  }

  async #sweepTables(): Promise<number> {
    let deleted = 0;
    for (const table of this.tables) {
      if (this.#closed) break;
      deleted += await this.#sweepTable(table);
    }
    this.#deleted += deleted;
    return deleted;
  }

  async #sweepTable(table: TtlTable): Promise<number> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const names = Object.fromEntries([table.ttlAttribute, ...table.keyNames].map((name, index) => [`#a${index}`, name]));
    const values = { ':now': { N: String(nowSeconds) }, ':oldest': { N: String(nowSeconds - FIVE_YEARS_SECONDS) } };
    // Comparing with a Number matches Number attributes only, as TTL does.
    const expired = '#a0 < :now AND #a0 >= :oldest';
    let deleted = 0;
    const pages = paginateScan(
      { client: this.client },
      { TableName: table.tableName, FilterExpression: expired, ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names, ExpressionAttributeValues: values },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if (this.#closed) return deleted;
        const key: Record<string, AttributeValue> = {};
        for (const name of table.keyNames) {
          const value = item[name];
          if (value !== undefined) key[name] = value;
        }
        try {
          await this.client.send(
            new DeleteItemCommand({ TableName: table.tableName, Key: key, ConditionExpression: expired, ExpressionAttributeNames: { '#a0': table.ttlAttribute }, ExpressionAttributeValues: values }),
          );
          deleted += 1;
        } catch (error) {
          // Written again with a later TTL (or deleted) since the scan.
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
    }
    return deleted;
  }
}
