import { createRequire } from 'node:module';

/**
 * dynalite 4.0.0 reads with abstract-level 3 iterators wrapped in streams (Query, Scan, table
 * listings) and closes an iterator, when its stream ends or is destroyed, only `if (iterator.return)`.
 * abstract-level 3 iterators have no `return` method (only `close()` and `Symbol.asyncIterator`),
 * so no such iterator is ever closed: each stays registered with the database, with its state,
 * until the database closes. Every Query leaked about 4 KB of ArrayBuffers and 1 KB of heap
 * (NotifyUser runs one per notification).
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
  const dynalite = require.resolve('dynalite');
  const memoryLevel = createRequire(dynalite).resolve('memory-level');
  return createRequire(memoryLevel).resolve('abstract-level');
}

export function closeDynaliteIteratorsWhenDone(): void {
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
