/**
 * The integration tier's global setup (jest.config.js), run once before its test files: builds the
 * function bundles if they are not up to date, makes one key pair per stage the tests use, and
 * synthesizes the stack variants most test files start (shared-synthesis.ts). Each test file then
 * starts its stacks without loading the CDK. global-teardown.ts removes the run directory.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getStage, withOverrides, type StageOverrides } from '../../infra/stages';
import { ensureFunctionBundles } from '../../src/tooling/function-bundles';
import { ensureStageKeyPair } from '../../src/tooling/stage-keys';
import { runKeysDirectory, SHARED_KEY_STAGES, synthesizeOncePerRun, TEST_RUN_DIRECTORY_ENV } from './shared-synthesis';

/** The stage variants synthesized up front: those several test files start. Others are synthesized on first use. */
const COMMON_VARIANTS: readonly { readonly stage: string; readonly overrides: StageOverrides }[] = [
  { stage: 'local', overrides: {} },
  { stage: 'local', overrides: { authMode: 'action' } },
  { stage: 'local', overrides: { authMode: 'action', authorizeDeadlineSeconds: 900 } },
  { stage: 'local', overrides: { authMode: 'action', authorizeDeadlineSeconds: 120 } },
  { stage: 'dev', overrides: {} },
];

export default async function globalSetup(): Promise<void> {
  ensureFunctionBundles();
  const runDirectory = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-test-run-'));
  const keysDirectoryBefore = process.env.WS_NOTIFY_KEYS_DIR;
  // The workers start after this and inherit the variable: their stacks copy these keys.
  process.env[TEST_RUN_DIRECTORY_ENV] = runDirectory;
  process.env.WS_NOTIFY_KEYS_DIR = runKeysDirectory(runDirectory);
  try {
    for (const stage of SHARED_KEY_STAGES) await ensureStageKeyPair(stage);
    for (const { stage, overrides } of COMMON_VARIANTS) synthesizeOncePerRun({ stage: withOverrides(getStage(stage), overrides) });
  } finally {
    if (keysDirectoryBefore === undefined) delete process.env.WS_NOTIFY_KEYS_DIR;
    else process.env.WS_NOTIFY_KEYS_DIR = keysDirectoryBefore;
  }
}
