import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { version as esbuildVersion } from 'esbuild';
import { bundleFunctions, type BundleFunctionsOptions, type FunctionBundles } from './bundle-functions';

/**
 * A cache of function bundles shared by the runtimes of a checkout (tests start many), so that a
 * runtime whose sources have not changed skips the esbuild build (~0.6 s for the nine functions).
 *
 * - An entry is a directory named after the build configuration AND the state (path, size, mtime)
 *   of every file esbuild read for it, plus package-lock.json and tsconfig.json. It is built in a
 *   temporary directory and renamed into place complete, and never modified afterwards: an edit
 *   makes a new entry, so a running runtime never sees its bundles change under it.
 * - A runtime marks the entry it uses (a file named after its pid in `.users/`) and removes the
 *   mark on close. An entry is removed only when it is not the newest of its configuration and no
 *   live process marks it; it is first renamed away (atomically), so no runtime can start using a
 *   half-deleted entry.
 */

/** Bumped when the build options in bundle-functions.ts change. */
const CACHE_FORMAT = 2;
const COMPLETE_MARKER = '.complete';
const USERS_DIRECTORY = '.users';

export interface CachedBundles extends FunctionBundles {
  /** True when an existing entry was reused without building. */
  readonly cached: boolean;
  /** Removes this runtime's mark from the entry. Safe to call twice. */
  readonly release: () => void;
}

interface InputsRecord {
  readonly inputs: readonly string[];
  readonly bytes: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

function configurationKey(options: Omit<BundleFunctionsOptions, 'outDirectory'>): string {
  const entries = options.functions.map((fn) => `${fn.logicalId}=${path.resolve(options.projectRoot, fn.entry)}`).sort();
  return hash(JSON.stringify({ CACHE_FORMAT, esbuildVersion, projectRoot: options.projectRoot, bootstrap: path.join(__dirname, 'worker-bootstrap.ts'), entries }));
}

/** The state of the files a build read, or undefined when one of them is gone. */
function inputsState(projectRoot: string, inputs: readonly string[]): string | undefined {
  const parts: string[] = [];
  for (const file of inputs) {
    try {
      const stat = statSync(path.resolve(projectRoot, file));
      parts.push(`${file}\0${stat.size}\0${stat.mtimeMs}`);
    } catch {
      return undefined;
    }
  }
  for (const file of ['package-lock.json', 'tsconfig.json']) {
    const stat = statSync(path.resolve(projectRoot, file), { throwIfNoEntry: false });
    parts.push(`${file}\0${stat?.size ?? 'absent'}\0${stat?.mtimeMs ?? ''}`);
  }
  return hash(parts.join('\n'));
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inUse(entry: string): boolean {
  let marks: string[];
  try {
    marks = readdirSync(path.join(entry, USERS_DIRECTORY));
  } catch {
    return false;
  }
  return marks.some((name) => isAlive(Number(name.split('-')[0])));
}

/** Marks the entry as used by this process; undefined when the entry is gone. */
function mark(entry: string): (() => void) | undefined {
  const file = path.join(entry, USERS_DIRECTORY, `${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(file, '');
  } catch {
    return undefined;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    rmSync(file, { force: true });
  };
}

function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

function bundlesIn(entry: string, functionIds: readonly string[], record: InputsRecord, durationMs: number): FunctionBundles {
  return {
    directory: entry,
    bootstrapFile: path.join(entry, '_runtime', 'bootstrap.js'),
    files: Object.fromEntries(functionIds.map((id) => [id, path.join(entry, id, 'index.js')])),
    bytes: record.bytes,
    durationMs,
    warnings: record.warnings,
    inputs: record.inputs,
  };
}

/** Removes this configuration's entries other than `keep` that no live process uses, and abandoned temporary directories. */
function prune(cacheDirectory: string, key: string, keep: string): void {
  for (const name of readdirSync(cacheDirectory)) {
    const entry = path.join(cacheDirectory, name);
    if (name.startsWith('tmp-') || name.startsWith('trash-')) {
      if (!isAlive(Number(name.split('-')[1]))) rmSync(entry, { recursive: true, force: true });
      continue;
    }
    if (!name.startsWith(`${key}-`) || entry === keep || inUse(entry)) continue;
    const trash = path.join(cacheDirectory, `trash-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      renameSync(entry, trash);
    } catch {
      continue;
    }
    // A runtime may have marked it between the check and the rename: put it back.
    if (inUse(trash)) {
      try {
        renameSync(trash, entry);
      } catch {
        // The name was taken again: leave the entry where it is, its user has its files.
      }
      continue;
    }
    rmSync(trash, { recursive: true, force: true });
  }
}

function reuse(cacheDirectory: string, key: string, options: Omit<BundleFunctionsOptions, 'outDirectory'>, started: number): CachedBundles | undefined {
  const recordFile = path.join(cacheDirectory, `${key}.inputs.json`);
  if (!existsSync(recordFile)) return undefined;
  const record = JSON.parse(readFileSync(recordFile, 'utf8')) as InputsRecord;
  const state = inputsState(options.projectRoot, record.inputs);
  if (state === undefined) return undefined;
  const entry = path.join(cacheDirectory, `${key}-${state}`);
  const release = mark(entry);
  if (release === undefined) return undefined;
  if (!existsSync(path.join(entry, COMPLETE_MARKER))) {
    release();
    return undefined;
  }
  const ids = options.functions.map((fn) => fn.logicalId);
  return { ...bundlesIn(entry, ids, record, performance.now() - started), cached: true, release };
}

/**
 * The functions' bundles: the cache entry built from the same sources when there is one, else a
 * fresh build stored as a new entry. The entry is marked as used by this process until `release()`.
 */
export async function obtainBundles(options: Omit<BundleFunctionsOptions, 'outDirectory'>, cacheDirectory: string): Promise<CachedBundles> {
  const started = performance.now();
  const key = configurationKey(options);
  mkdirSync(cacheDirectory, { recursive: true });
  const reused = reuse(cacheDirectory, key, options, started);
  if (reused !== undefined) return reused;

  const temporary = path.join(cacheDirectory, `tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let built: FunctionBundles;
  try {
    built = await bundleFunctions({ ...options, outDirectory: temporary });
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
  const record: InputsRecord = { inputs: built.inputs, bytes: built.bytes, warnings: built.warnings };
  const state = inputsState(options.projectRoot, built.inputs);
  const ids = options.functions.map((fn) => fn.logicalId);
  mkdirSync(path.join(temporary, USERS_DIRECTORY));
  writeFileSync(path.join(temporary, COMPLETE_MARKER), '');
  if (state !== undefined) {
    const entry = path.join(cacheDirectory, `${key}-${state}`);
    try {
      renameSync(temporary, entry);
    } catch {
      // Another runtime stored the same sources first; use its entry if it is complete.
    }
    const release = mark(entry);
    if (release !== undefined && existsSync(path.join(entry, COMPLETE_MARKER))) {
      rmSync(temporary, { recursive: true, force: true });
      writeAtomically(path.join(cacheDirectory, `${key}.inputs.json`), JSON.stringify(record));
      prune(cacheDirectory, key, entry);
      return { ...bundlesIn(entry, ids, record, built.durationMs), cached: false, release };
    }
    release?.();
  }
  // Not cacheable (an input vanished during the build) or the entry could not be stored: use the build as it is.
  const release = mark(temporary) ?? (() => undefined);
  return {
    ...bundlesIn(temporary, ids, record, built.durationMs),
    cached: false,
    release: () => {
      release();
      rmSync(temporary, { recursive: true, force: true });
    },
  };
}
