/**
 * Test handlers (test/fixtures/functions/<name>.ts) bundled as a function's code, the way the
 * package build bundles the functions (src/tooling/function-bundles.ts): `<directory>/index.js`
 * exporting the handler. Bundled once for the enclosing `describe`, in a temporary directory
 * removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleEntries } from '../../src/tooling/function-bundles';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'functions');

/** Registers beforeAll/afterAll hooks; the returned function gives a fixture's code directory (after beforeAll). */
export function useFixtureBundles(names: readonly string[]): (name: string) => string {
  let directory: string | undefined;
  let directories: Readonly<Record<string, string>> = {};
  beforeAll(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-fixtures-'));
    ({ directories } = bundleEntries({
      entries: Object.fromEntries(names.map((name) => [name, path.join(FIXTURES, `${name}.ts`)])),
      outDirectory: directory,
    }));
  });
  afterAll(() => {
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });
  return (name) => {
    const codeDirectory = directories[name];
    if (codeDirectory === undefined) throw new Error(`fixture ${name} is not bundled: add it to useFixtureBundles`);
    return codeDirectory;
  };
}
