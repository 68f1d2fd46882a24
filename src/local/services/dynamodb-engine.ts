/**
 * dynalite, the in-memory DynamoDB of the local runtime. Every use of its internals is in this
 * module: its server's request handler, its store's encoding, the patch to the store iterators it
 * uses, and the hand-over of global-index changes to the index lag (index-lag.ts).
 */
import type { RequestListener, Server } from 'node:http';
import { createRequire } from 'node:module';
import type DynaliteModule from 'dynalite';
import { IndexLag, type IndexLagClock } from './index-lag';

export interface DynamoDbEngine {
  /** dynalite's HTTP server, without its request handler; closing it closes the store. */
  readonly server: Server;
  /** Answers a DynamoDB API request. */
  readonly handle: RequestListener;
  /** When the store's global indexes see its writes (0: at once, as dynalite does). */
  readonly indexLag: IndexLag;
}

/** dynalite with tables active at once (no CREATING/DELETING/UPDATING delays) and no index lag until one is set, on `indexLagClock` (default the system's). */
export function createDynamoDbEngine(indexLagClock?: IndexLagClock): DynamoDbEngine {
  storeAsStrings();
  closeDynaliteIteratorsWhenDone();
  // Loaded once the store's class is replaced: dynalite takes it when its db module loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as typeof DynaliteModule;
  delayGlobalIndexChanges();
  const indexLag = new IndexLag(0, indexLagClock);
  const dynaliteOptions = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
  // dynalite keeps the options object it was given as its store's `options`: the store's writes find their lag by it.
  lagOfStore.set(dynaliteOptions, indexLag);
  const server = dynalite(dynaliteOptions);
  server.once('close', () => indexLag.close());
  const [handle] = server.listeners('request') as RequestListener[];
  if (handle === undefined) throw new Error('dynalite registered no request handler');
  server.removeAllListeners('request');
  return { server, handle, indexLag };
}

/** The part of dynalite's store (db/index.js) the index lag uses. */
interface DynaliteStore {
  readonly options: object;
  getIndexDb(indexType: 'Global', tableName: string, indexName: string): DynaliteIndexDb;
}

interface DynaliteIndexDb {
  put(key: string, value: unknown, callback: (error?: Error | null) => void): void;
  del(key: string, callback: (error?: Error | null) => void): void;
}

interface DynaliteTable {
  readonly TableName: string;
  readonly GlobalSecondaryIndexes?: readonly unknown[];
  readonly LocalSecondaryIndexes?: readonly unknown[];
}

interface IndexActions {
  readonly puts: readonly { readonly index: string; readonly key: string; readonly item: unknown }[];
  readonly deletes: readonly { readonly index: string; readonly key: string }[];
}

type Callback = (error?: Error | null) => void;

/** dynalite's db module: how a write updates a table's indexes. */
interface DynaliteDb {
  updateIndexes: (store: DynaliteStore, table: DynaliteTable, existingItem: unknown, item: unknown, callback: Callback) => void;
  getIndexActions: (indexes: readonly unknown[], existingItem: unknown, item: unknown, table: DynaliteTable) => IndexActions;
}

/** The index lag of each store, by the options object the store keeps. */
const lagOfStore = new WeakMap<object, IndexLag>();

let delaying = false;

const promised = (run: (callback: Callback) => void): Promise<void> =>
  new Promise((resolve, reject) => run((error) => (error ? reject(error) : resolve())));

/** Applies one write's changes to the global indexes as dynalite does: deletes, then puts. */
async function applyGlobalIndexActions(store: DynaliteStore, tableName: string, actions: IndexActions): Promise<void> {
  await Promise.all(actions.deletes.map((action) => promised((callback) => store.getIndexDb('Global', tableName, action.index).del(action.key, callback))));
  await Promise.all(actions.puts.map((action) => promised((callback) => store.getIndexDb('Global', tableName, action.index).put(action.key, action.item, callback))));
}

/**
 * Every write of dynalite (PutItem, UpdateItem, DeleteItem, BatchWriteItem) calls `updateIndexes`
 * before it stores the item. While a store's lag delays, this computes the write's global-index
 * changes now and queues them on the lag, and lets dynalite update the local indexes at once;
 * otherwise dynalite's own function runs unchanged.
 */
function delayGlobalIndexChanges(): void {
  if (delaying) return;
  delaying = true;
  // Loaded with this module's own `require`, as closeDynaliteIteratorsWhenDone explains.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const db = require(createRequire(require.resolve('dynalite')).resolve('./db')) as DynaliteDb;
  const updateIndexes = db.updateIndexes;
  db.updateIndexes = (store, table, existingItem, item, callback) => {
    const lag = lagOfStore.get(store.options);
    const globalIndexes = table.GlobalSecondaryIndexes ?? [];
    if (lag === undefined || !lag.delaying || globalIndexes.length === 0) {
      updateIndexes(store, table, existingItem, item, callback);
      return;
    }
    // Copied now: with projection ALL an index entry is the item object itself.
    const actions = structuredClone(db.getIndexActions(globalIndexes, existingItem, item, table));
    lag.enqueue(() => applyGlobalIndexActions(store, table.TableName, actions));
    updateIndexes(store, { ...table, GlobalSecondaryIndexes: [] }, existingItem, item, callback);
  };
}

/**
 * dynalite 4.0.0 closes the iterator behind a Query or Scan stream only `if (iterator.return)`, which
 * abstract-level 3 iterators lack: each stayed open until the database closed, and every Query leaked
 * memory. This gives them the `return()` dynalite expects: close() (idempotent).
 */
interface IteratorPrototype {
  return?: (this: { close(): Promise<void> }) => Promise<void>;
}

/** The path of memory-level, dynalite's in-memory store. */
const memoryLevelPathOfDynalite = (): string => createRequire(require.resolve('dynalite')).resolve('memory-level');

type MemoryLevelClass = new (options?: Record<string, unknown>) => object;

/** The classes this module made, so that the store's class is replaced once per module instance. */
const stringStoreClasses = new WeakSet<MemoryLevelClass>();

/**
 * dynalite's memory-level store encodes every key and item with Buffer.from by default: small
 * buffers are slices of Node's shared 8 KiB pool, and a stored slice keeps its whole chunk alive
 * (docs/performance.md, "What was optimized"). The `utf8` store encoding keeps strings instead. The
 * order is unchanged: UTF-16 and byte order agree on dynalite's keys, which are ASCII (names, and key
 * values hex-encoded; embedded-dynamodb-store-encoding.test.ts). dynalite's db module takes the
 * MemoryLevel class when it loads, so the class is replaced before dynalite is loaded.
 */
function storeAsStrings(): void {
  // Loaded with this module's own `require`, as closeDynaliteIteratorsWhenDone explains.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const memoryLevel = require(memoryLevelPathOfDynalite()) as { MemoryLevel: MemoryLevelClass };
  if (stringStoreClasses.has(memoryLevel.MemoryLevel)) return;
  const StoreClass = memoryLevel.MemoryLevel;
  class MemoryLevelAsStrings extends StoreClass {
    constructor(options?: Record<string, unknown>) {
      super({ ...options, storeEncoding: 'utf8' });
    }
  }
  stringStoreClasses.add(MemoryLevelAsStrings);
  memoryLevel.MemoryLevel = MemoryLevelAsStrings;
}

/** Idempotent: an iterator class that has a `return()` is left alone. */
function closeDynaliteIteratorsWhenDone(): void {
  // Loaded with this module's own `require` (not createRequire) so that a module registry such as
  // jest's hands out the same instance dynalite gets.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const abstractLevel = require(createRequire(memoryLevelPathOfDynalite()).resolve('abstract-level')) as { AbstractIterator?: { prototype: object } };
  const iteratorClass = abstractLevel.AbstractIterator;
  if (iteratorClass === undefined) return;
  // AbstractIterator, AbstractKeyIterator and AbstractValueIterator share one base class.
  const common = Object.getPrototypeOf(iteratorClass.prototype) as IteratorPrototype & { close?: unknown };
  if (typeof common.close !== 'function' || common.return !== undefined) return;
  common.return = function closeIterator() {
    return this.close();
  };
}
