/**
 * dynalite, the in-memory DynamoDB of the local runtime. Every use of its internals is in this
 * module: its server's request handler, and the patch to the store iterators it uses.
 */
import type { RequestListener, Server } from 'node:http';
import { createRequire } from 'node:module';
import dynalite from 'dynalite';

export interface DynamoDbEngine {
  /** dynalite's HTTP server, without its request handler; closing it closes the store. */
  readonly server: Server;
  /** Answers a DynamoDB API request. */
  readonly handle: RequestListener;
}

/** dynalite with tables active at once (no CREATING/DELETING/UPDATING delays). */
export function createDynamoDbEngine(): DynamoDbEngine {
  closeDynaliteIteratorsWhenDone();
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [handle] = server.listeners('request') as RequestListener[];
  if (handle === undefined) throw new Error('dynalite registered no request handler');
  server.removeAllListeners('request');
  return { server, handle };
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

/** The path of the abstract-level module memory-level (dynalite's in-memory store) uses. */
function abstractLevelPathOfDynalite(): string {
  const dynalitePath = require.resolve('dynalite');
  const memoryLevel = createRequire(dynalitePath).resolve('memory-level');
  return createRequire(memoryLevel).resolve('abstract-level');
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
