import { createServer, type RequestListener, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type AttributeDefinition,
  type LocalSecondaryIndex,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import type { IndexModel, KeySchemaModel, TableModel } from '../template/stack-model';
import { DEFAULT_REGION, LOCAL_CREDENTIALS, LOCAL_HOST } from './aws-client-config';
import { createDynamoDbEngine } from './dynamodb-engine';
import { EmbeddedHttpService, serviceRequestListener } from './embedded-http-service';
import type { FaultOptions } from './fault-injection';
import { closeServer, listen, setUpOrClose } from './http-server';
import { validateIndexLagMs, type IndexLag, type IndexLagClock } from './index-lag';
import { InterceptorChain } from './request-interceptors';
import { EmbeddedServiceError } from './service-errors';
import { TtlSweeper, type TtlTable } from './ttl-sweeper';

export interface EmbeddedDynamoDbOptions {
  readonly tables: readonly TableModel[];
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** A table without a TableName in the template is named `<namePrefix><name>` (its name in the model, e.g. `Connections`). */
  readonly namePrefix?: string;
  /** Inject throttling / 5xx errors into this fraction of requests (after the tables are created). */
  readonly faults?: FaultOptions;
  /** Global secondary indexes see the tables' writes this many ms later, as on AWS (index-lag.ts). Default 0. */
  readonly indexLagMs?: number;
  /** The index lag's clock (default the system's): a test advances its own instead of waiting the lag out. */
  readonly indexLagClock?: IndexLagClock;
  /** Deletes the items past their TTL every this many ms (ttl-sweeper.ts). Default: never (dynalite keeps expired items). */
  readonly ttlSweepIntervalMs?: number;
  /** Called when a TTL sweep fails (the next one runs all the same). */
  readonly onTtlSweepError?: (error: unknown) => void;
}

export interface EmbeddedTable {
  readonly logicalId: string;
  readonly tableName: string;
  /** The template's TTL attribute: dynalite has no UpdateTimeToLive, only the TTL sweep deletes expired items (reads ignore them). */
  readonly ttlAttribute?: string;
  /** The partition key's name, then the sort key's if the table has one. */
  readonly keyNames: readonly string[];
}

const ACTIVE_WAIT_MS = 5_000;

function keysOf(schema: KeySchemaModel): KeySchemaModel['partitionKey'][] {
  return schema.sortKey === undefined ? [schema.partitionKey] : [schema.partitionKey, schema.sortKey];
}

function keySchema(schema: KeySchemaModel): KeySchemaElement[] {
  return keysOf(schema).map((key, index) => ({ AttributeName: key.name, KeyType: index === 0 ? 'HASH' : 'RANGE' }));
}

/** Every key attribute of the table and its indexes, once (the template reader gave each name one type). */
function attributeDefinitions(table: TableModel): AttributeDefinition[] {
  const keys = [table, ...table.globalSecondaryIndexes, ...table.localSecondaryIndexes].flatMap(keysOf);
  return [...new Map(keys.map((key) => [key.name, key.type]))].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

function secondaryIndexes(indexes: readonly IndexModel[]): LocalSecondaryIndex[] {
  return indexes.map((index) => ({
    IndexName: index.indexName,
    KeySchema: keySchema(index),
    Projection: {
      ProjectionType: index.projection.type,
      ...(index.projection.type === 'INCLUDE' ? { NonKeyAttributes: [...(index.projection.nonKeyAttributes ?? [])] } : {}),
    },
  }));
}

/**
 * DynamoDB in memory (dynalite) on 127.0.0.1, with the stack's tables created from the template:
 * keys, global and local secondary indexes with their projections, on-demand billing.
 *
 * @example
 * const dynamodb = await EmbeddedDynamoDb.start({ tables: Object.values(model.tables), namePrefix: 'ws-notify-local-' });
 * new DynamoDBClient(dynamodb.clientConfig);
 * await dynamodb.close();
 */
export class EmbeddedDynamoDb extends EmbeddedHttpService {
  private constructor(
    server: Server,
    interceptors: InterceptorChain,
    /** When the global indexes see the writes: `indexLag.setLag(ms)` (0 stops), `idle()` once they show every write, `counts()`. */
    readonly indexLag: IndexLag,
    port: number,
    readonly tables: Readonly<Record<string, EmbeddedTable>>,
    private readonly ttl: { readonly sweeper: TtlSweeper; readonly server: Server; readonly client: DynamoDBClient } | undefined,
  ) {
    super(server, interceptors, port);
  }

  static async start(options: EmbeddedDynamoDbOptions): Promise<EmbeddedDynamoDb> {
    if (options.indexLagMs !== undefined) validateIndexLagMs(options.indexLagMs);
    // The tables are created without a lag (nothing to propagate yet); the lag starts with the service.
    const { server, handle, indexLag } = createDynamoDbEngine(options.indexLagClock);
    const interceptors = new InterceptorChain();
    server.on('request', serviceRequestListener('dynamodb', interceptors, handle));
    const port = await listen(server, LOCAL_HOST, options.port ?? 0, 'DynamoDB');
    const tables = await setUpOrClose(server, 'DynamoDB: could not create the tables', () => createTables(`http://${LOCAL_HOST}:${port}`, options));
    const ttl = options.ttlSweepIntervalMs === undefined ? undefined : await startTtlSweep(server, handle, tables, options.ttlSweepIntervalMs, options.onTtlSweepError ?? (() => undefined));
    const service = new EmbeddedDynamoDb(server, interceptors, indexLag, port, tables, ttl);
    service.faults.set(options.faults);
    indexLag.setLag(options.indexLagMs ?? 0);
    return service;
  }

  /** Deletes the items past their TTL now (TypeError without a TTL sweep); resolves with how many. */
  sweepExpiredItems(): Promise<number> {
    if (this.ttl === undefined) throw new TypeError('this DynamoDB was started without a TTL sweep (ttlSweepIntervalMs)');
    return this.ttl.sweeper.sweep();
  }

  /** Items the TTL sweep deleted so far (0 without one). */
  get expiredItemsDeleted(): number {
    return this.ttl?.sweeper.deletedCount ?? 0;
  }

  /** Stops the TTL sweep, then the server (dropping open requests) and the data. Safe to call twice. */
  override async close(): Promise<void> {
    if (this.ttl !== undefined) {
      await this.ttl.sweeper.close();
      this.ttl.client.destroy();
      await closeServer(this.ttl.server);
    }
    await super.close();
  }
}

/** The TTL sweep talks to dynalite through a listener of its own, without the interceptors: never faulted nor observed. */
async function startTtlSweep(
  server: Server,
  handle: RequestListener,
  tables: Readonly<Record<string, EmbeddedTable>>,
  intervalMs: number,
  onError: (error: unknown) => void,
): Promise<{ sweeper: TtlSweeper; server: Server; client: DynamoDBClient }> {
  const ttlTables = Object.values(tables).filter((table): table is EmbeddedTable & TtlTable => table.ttlAttribute !== undefined);
  const internal = createServer(handle);
  const port = await setUpOrClose(server, 'DynamoDB: could not start the TTL sweep', () => listen(internal, LOCAL_HOST, 0, 'DynamoDB TTL sweep'));
  const client = new DynamoDBClient({ endpoint: `http://${LOCAL_HOST}:${port}`, region: DEFAULT_REGION, credentials: LOCAL_CREDENTIALS });
  const sweeper = new TtlSweeper(client, ttlTables, intervalMs, onError);
  sweeper.start();
  return { sweeper, server: internal, client };
}

async function createTables(endpoint: string, options: EmbeddedDynamoDbOptions): Promise<Record<string, EmbeddedTable>> {
  const client = new DynamoDBClient({ endpoint, region: DEFAULT_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const tables: Record<string, EmbeddedTable> = {};
    for (const model of options.tables) {
      const tableName = model.tableName ?? `${options.namePrefix ?? ''}${model.name}`;
      const indexes = secondaryIndexes(model.globalSecondaryIndexes);
      const localIndexes = secondaryIndexes(model.localSecondaryIndexes);
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: keySchema(model),
          AttributeDefinitions: attributeDefinitions(model),
          ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
          ...(localIndexes.length > 0 ? { LocalSecondaryIndexes: localIndexes } : {}),
        }),
      );
      const keyNames = keysOf(model).map((key) => key.name);
      tables[model.logicalId] = { logicalId: model.logicalId, tableName, ttlAttribute: model.ttlAttribute, keyNames };
    }
    await waitUntilActive(client, Object.values(tables).map((table) => table.tableName));
    return tables;
  } finally {
    client.destroy();
  }
}

/** dynalite makes a table and its global indexes ACTIVE a moment after CreateTable answers. */
async function waitUntilActive(client: DynamoDBClient, tableNames: readonly string[]): Promise<void> {
  const deadline = AbortSignal.timeout(ACTIVE_WAIT_MS);
  for (const TableName of tableNames) {
    for (;;) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName }));
      if (Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE')) break;
      if (deadline.aborted) throw new EmbeddedServiceError('setup_failed', `table ${TableName} did not become ACTIVE`);
      await sleep(2);
    }
  }
}
