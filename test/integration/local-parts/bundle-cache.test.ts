import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LocalFunctionDefinition } from '../../../src/local/functions/function-definition';
import { FunctionRunner } from '../../../src/local/functions/function-runner';

describe('Class: FunctionRunner (bundle cache)', () => {
  let directory: string;
  let cacheDirectory: string;
  let entry: string;

  function writeHandler(version: string): void {
    writeFileSync(entry, `export const handler = async (): Promise<string> => ${JSON.stringify(version)};\n`);
  }

  function start(): Promise<FunctionRunner> {
    const fn: LocalFunctionDefinition = { logicalId: 'Versioned', entry, handlerExport: 'handler', environment: {}, timeoutSeconds: 3, memorySizeMb: 128 };
    return FunctionRunner.start({ functions: [fn], cacheDirectory });
  }

  /** Cache entries (directories other than temporary ones). */
  function entries(): string[] {
    return readdirSync(cacheDirectory, { withFileTypes: true })
      .filter((item) => item.isDirectory() && !item.name.startsWith('tmp-') && !item.name.startsWith('trash-'))
      .map((item) => path.join(cacheDirectory, item.name));
  }

  beforeEach(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-bundle-cache-'));
    cacheDirectory = path.join(directory, 'cache');
    entry = path.join(directory, 'versioned.ts');
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('reuses the bundles of unchanged sources instead of building again', async () => {
    // Prepare
    writeHandler('v1');
    const first = await start();
    await first.close();

    // Act
    const second = await start();
    const result = await second.invoke('Versioned', {});
    await second.close();

    // Assess
    expect(first.build.cached).toBe(false);
    expect(second.build.cached).toBe(true);
    expect(second.build.directory).toBe(first.build.directory);
    expect(result).toMatchObject({ status: 'ok', payload: 'v1' });
  });

  it('builds a new entry when a source changes, keeping the old one while a runtime still uses it', async () => {
    // Prepare
    writeHandler('v1');
    const old = await start();

    // Act
    writeHandler('version 2');
    const current = await start();
    const oldResult = await old.invoke('Versioned', {});
    const currentResult = await current.invoke('Versioned', {});

    // Assess
    expect(current.build.cached).toBe(false);
    expect(current.build.directory).not.toBe(old.build.directory);
    expect(existsSync(path.join(old.build.directory, 'Versioned', 'index.js'))).toBe(true);
    expect(oldResult).toMatchObject({ status: 'ok', payload: 'v1' });
    expect(currentResult).toMatchObject({ status: 'ok', payload: 'version 2' });
    await Promise.all([old.close(), current.close()]);
  });

  it('removes the entries nobody uses any more when it stores a new one', async () => {
    // Prepare: an entry, released.
    writeHandler('v1');
    const first = await start();
    await first.close();

    // Act
    writeHandler('version 2');
    const latest = await start();

    // Assess
    expect(existsSync(first.build.directory)).toBe(false);
    expect(entries()).toEqual([latest.build.directory]);
    await latest.close();
  });

  it('builds into a temporary directory of its own when the cache is off, and removes it on close', async () => {
    // Prepare
    writeHandler('v1');

    // Act
    const runner = await FunctionRunner.start({
      functions: [{ logicalId: 'Versioned', entry, handlerExport: 'handler', environment: {}, timeoutSeconds: 3, memorySizeMb: 128 }],
      cacheDirectory: false,
    });
    const result = await runner.invoke('Versioned', {});
    await runner.close();

    // Assess
    expect(result).toMatchObject({ status: 'ok', payload: 'v1' });
    expect(runner.build.cached).toBe(false);
    expect(existsSync(runner.build.directory)).toBe(false);
    expect(existsSync(cacheDirectory)).toBe(false);
  });
});
