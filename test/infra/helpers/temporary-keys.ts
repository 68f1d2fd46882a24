import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureStageKeyPair } from '../../../src/tooling/stage-keys';

/**
 * Points WS_NOTIFY_KEYS_DIR at a new temporary directory for the tests of the enclosing
 * `describe`, with key pairs made for `stages`, and puts everything back afterwards.
 * Returns a getter for the directory.
 */
export function useTemporaryKeys(stages: readonly string[] = ['local', 'dev', 'prod']): () => string {
  let directory = '';
  let previous: string | undefined;
  beforeAll(async () => {
    previous = process.env.WS_NOTIFY_KEYS_DIR;
    directory = mkdtempSync(path.join(tmpdir(), 'ws-notify-keys-'));
    process.env.WS_NOTIFY_KEYS_DIR = directory;
    for (const stage of stages) await ensureStageKeyPair(stage);
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.WS_NOTIFY_KEYS_DIR;
    else process.env.WS_NOTIFY_KEYS_DIR = previous;
    rmSync(directory, { recursive: true, force: true });
  });
  return () => directory;
}
