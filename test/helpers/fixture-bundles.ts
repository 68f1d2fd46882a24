/**
 * Test handlers (test/fixtures/functions/<name>.ts) bundled as a function's code, the way the
 * package build bundles the functions (src/tooling/function-bundles.ts): `<directory>/index.js`
 * exporting the handler, with the AWS SDK bundled. The bundles of a set of fixtures are kept under
 * node_modules/.cache and rebuilt only when a file they were built from changed
 * (ensureFunctionBundles, the check the functions' own bundles get): bundling the fixtures that
 * carry the SDK took about a second of esbuild in every test file that used them.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ensureFunctionBundles } from '../../src/tooling/function-bundles';
import { PROJECT_ROOT } from '../../src/tooling/project-paths';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'functions');
const CACHE = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'ws-notify', 'fixture-bundles');

/** The code directories of a set of fixtures, bundled into the cache if they are not up to date. */
export function bundledFixtures(names: readonly string[]): Readonly<Record<string, string>> {
  // One directory per set of fixtures: ensureFunctionBundles removes the bundles its entries do not name.
  const directory = path.join(CACHE, createHash('sha256').update(JSON.stringify([...names].sort())).digest('hex').slice(0, 16));
  ensureFunctionBundles({ entries: Object.fromEntries(names.map((name) => [name, path.join(FIXTURES, `${name}.ts`)])), directory });
  return Object.fromEntries(names.map((name) => [name, path.join(directory, 'bundled', name)]));
}

/** Registers a beforeAll hook; the returned function gives a fixture's code directory (after beforeAll). */
export function useFixtureBundles(names: readonly string[]): (name: string) => string {
  let directories: Readonly<Record<string, string>> = {};
  beforeAll(() => {
    directories = bundledFixtures(names);
  });
  return (name) => {
    const codeDirectory = directories[name];
    if (codeDirectory === undefined) throw new Error(`fixture ${name} is not bundled: add it to useFixtureBundles`);
    return codeDirectory;
  };
}
