/**
 * dynalite, the in-memory DynamoDB of the local runtime. Every use of its internals is in this
 * module: its server's request handler, its store's encoding, the patch to the store iterators it
 * uses, and the hand-over of global-index changes to the index lag (index-lag.ts).
 */
import type { RequestListener, Server } from 'node:http';
import { createRequire } from 'node:module';
import type DynaliteModule from 'dynalite';
import { IndexLag } from './index-lag';

export interface DynamoDbEngine {
  /** dynalite's HTTP server, without its request handler; closing it closes the store. */
  readonly server: Server;
  /** Answers a DynamoDB API request. */
  readonly handle: RequestListener;
  /** When the store's global indexes see its writes (0: at once, as dynalite does). */
  readonly indexLag: IndexLag;
}

/**
 * dynalite with tables active at once (no CREATING/DELETING/UPDATING delays), whose global
 * secondary indexes see writes `indexLagMs` later (default 0).
 */
export function createDynamoDbEngine(options: { readonly indexLagMs?: number } = {}): DynamoDbEngine {
  storeAsStrings();
  closeDynaliteIteratorsWhenDone();
  // Loaded once the store's class is replaced: dynalite takes it when its db module loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as typeof DynaliteModule;
  delayGlobalIndexChanges();
  const indexLag = new IndexLag(options.indexLagMs ?? 0);
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
 * Every write of dynalite (PutItem, UpdateItem, DeleteItem, and BatchWriteItem through them)
 * updates the table's indexes with `updateIndexes(store, table, existingItem, item, callback)`
 * before it stores the item. For a store with an index lag, this computes the write's changes to
 * the global indexes at that moment (from the item before and after the write) and queues them on
 * the lag, and lets dynalite update the local indexes at once, as before. With no lag and nothing
 * queued, dynalite's own function runs unchanged.
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
 * dynalite 4.0.0 reads with abstract-level 3 iterators wrapped in streams (Query, Scan, table
 * listings) and closes an iterator, when its stream ends or is destroyed, only `if (iterator.return)`.
 * abstract-level 3 iterators have no `return` method (only `close()` and `Symbol.asyncIterator`),
 * so no such iterator is ever closed: each stays registered with the database, with its state,
 * until the database closes, and every Query leaks memory (NotifyUser runs one per notification).
 *
 * This gives the iterators of the abstract-level copy dynalite uses the `return()` dynalite expects:
 * it closes the iterator (close() is idempotent; reading after it is an error, as after the end).
 */
interface IteratorPrototype {
  return?: (this: { close(): Promise<void> }) => Promise<void>;
}

let installed = false;

/** The path of memory-level, dynalite's in-memory store. */
function memoryLevelPathOfDynalite(): string {
  return createRequire(require.resolve('dynalite')).resolve('memory-level');
}

/** The path of the abstract-level module memory-level uses. */
function abstractLevelPathOfDynalite(): string {
  return createRequire(memoryLevelPathOfDynalite()).resolve('abstract-level');
}

type MemoryLevelClass = new (options?: Record<string, unknown>) => object;

/** The classes this module made, so that the store's class is replaced once per module instance. */
const stringStoreClasses = new WeakSet<MemoryLevelClass>();

/**
 * dynalite stores every key and item in a memory-level database with the default `buffer` store
 * encoding: each is encoded with Buffer.from, which hands out small buffers as slices of Node's
 * shared 8 KiB allocation pool, and a stored slice keeps its whole pool chunk alive. Under traffic
 * nearly every stored key ended up alone in its chunk: about 8 KiB of memory per stored item (the
 * 5,000-connection load test grew by ~8 KB per notification: the inbox's items, each user's head).
 * The `utf8` store encoding keeps each key and item as a string instead: no buffer at all, and the
 * most compact of the three encodings (bench, 10,000 idle connections: 4.60 KiB per connection
 * against 5.31 with `view` arrays and 5.95 with `buffer`). The order is unchanged: memory-level
 * compares strings by UTF-16 code units where it compared buffers byte by byte, and the two agree on
 * dynalite's keys, which are ASCII (table and index names, and key values hex-encoded), which
 * test/integration/local-parts/embedded-dynamodb-store-encoding.test.ts checks with sort keys whose
 * UTF-16 and UTF-8 orders differ. dynalite's db module takes the MemoryLevel class when it loads,
 * so the class is replaced before dynalite is loaded.
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

function closeDynaliteIteratorsWhenDone(): void {
  if (installed) return;
  installed = true;
  // Loaded with this module's own `require` (not createRequire) so that a module registry such as
  // jest's hands out the same instance dynalite gets.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const abstractLevel = require(abstractLevelPathOfDynalite()) as { AbstractIterator?: { prototype: object } };
  const iteratorClass = abstractLevel.AbstractIterator;
  if (iteratorClass === undefined) return;
  // AbstractIterator, AbstractKeyIterator and AbstractValueIterator share one base class.
  const common = Object.getPrototypeOf(iteratorClass.prototype) as IteratorPrototype & { close?: unknown };
  if (typeof common.close !== 'function' || common.return !== undefined) return;
  common.return = function closeIterator() {
    return this.close();
  };
}
