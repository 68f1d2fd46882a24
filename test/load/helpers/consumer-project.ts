/**
 * A fresh project that installs the packed package the way an application would (`npm ci`), with
 * no network: its package-lock.json pins every package to the version and integrity this
 * repository's lockfile holds, so npm takes each one from its cache (which `npm ci` of this
 * repository filled). Nothing of this repository is linked into it; only the tarball and the npm
 * cache connect them.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../src/tooling/project-paths';
import { spawnCommand, succeeded } from '../../helpers/spawn-command';

interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { optional?: boolean }>>;
  readonly [field: string]: unknown;
}

interface Lockfile {
  readonly packages: Readonly<Record<string, LockEntry>>;
}

/** The lock key a dependency of the package at `from` resolves to, as Node resolves it: the nearest node_modules/<name> up the tree. */
function resolveKey(packages: Lockfile['packages'], from: string, name: string): string | undefined {
  for (let base = from; ; ) {
    const key = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (packages[key] !== undefined) return key;
    if (base === '') return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent === -1 ? '' : base.slice(0, parent);
  }
}

/** Every lock entry that the given dependencies of the root need, transitively. */
function closure(packages: Lockfile['packages'], roots: readonly string[]): Map<string, LockEntry> {
  const found = new Map<string, LockEntry>();
  const pending: [string, string][] = roots.map((name) => ['', name]);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [from, name] = next;
    const key = resolveKey(packages, from, name);
    if (key === undefined) throw new Error(`the lockfile has no ${name} for ${from || 'the root'}`);
    if (found.has(key)) continue;
    const entry = packages[key]!;
    found.set(key, entry);
    const optionalPeers = new Set(Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, meta]) => meta.optional === true).map(([peer]) => peer));
    const needs = [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.peerDependencies ?? {}).filter((peer) => !optionalPeers.has(peer))];
    for (const dependency of needs) pending.push([key, dependency]);
    // Optional dependencies (a platform's native package) are installed where the lockfile has them.
    for (const dependency of Object.keys(entry.optionalDependencies ?? {})) {
      if (resolveKey(packages, key, dependency) !== undefined) pending.push([key, dependency]);
    }
  }
  return found;
}

export interface ConsumerProjectOptions {
  /** Where the project is made (an empty directory). */
  readonly directory: string;
  /** The `npm pack` tarball, when the project depends on the package. */
  readonly tarball?: string;
  /** Packages of this repository's lockfile to install (beside the package), at its versions (`aws-cdk-lib`, …). */
  readonly alongside: readonly string[];
}

/** Writes package.json and package-lock.json and runs `npm ci --offline`; rejects with npm's output when it fails. */
export async function installConsumerProject(options: ConsumerProjectOptions): Promise<void> {
  const lock = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, unknown> };
  const versions = Object.fromEntries(options.alongside.map((name) => [name, lock.packages[`node_modules/${name}`]?.version ?? '']));
  const dependencies: Record<string, string> = { ...versions };
  const packages: Record<string, unknown> = { '': { name: 'consumer', dependencies } };
  const roots = [...options.alongside];
  if (options.tarball !== undefined) {
    const tarballSpec = `file:${path.relative(options.directory, options.tarball)}`;
    dependencies[manifest.name] = tarballSpec;
    packages[`node_modules/${manifest.name}`] = {
      version: manifest.version,
      resolved: tarballSpec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(options.tarball)).digest('base64')}`,
      dependencies: manifest.dependencies,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
    };
    roots.push(...Object.keys(manifest.dependencies));
  }
  for (const [key, entry] of closure(lock.packages, roots)) {
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
    packages[key] = kept;
  }
  writeFileSync(path.join(options.directory, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, dependencies }, null, 2)}\n`);
  writeFileSync(path.join(options.directory, 'package-lock.json'), `${JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  succeeded(await spawnCommand('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: options.directory, env: {} }), 'npm ci in the consumer project');
}
