/**
 * The integration tier's global setup (jest.config.js), run once before its test files: builds the
 * function bundles if they are not up to date, makes one key pair per stage the tests use, and
 * synthesizes the stack variants most test files start (shared-synthesis.ts). Each test file then
 * starts its stacks without loading the CDK. The run's temporary directories are made in the run
 * directory (TMPDIR), which global-teardown.ts removes.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getStage, withOverrides, type StageOverrides } from '../../infra/stages';
import { ensureFunctionBundles } from '../../src/tooling/function-bundles';
import { ensureStageKeyPair } from '../../src/tooling/stage-keys';
import { runKeysDirectory, SHARED_CONFIGURATIONS, SHARED_KEY_STAGES, synthesizeOncePerRun, TEST_RUN_DIRECTORY_ENV } from './shared-synthesis';

/**
 * The stage variants synthesized up front: those several test files start, and the shared
 * configurations (shared-synthesis.ts) of the tests that change the stack: a synthesis here spares
 * their workers loading the CDK.
 * Others are synthesized on first use.
 */
const COMMON_VARIANTS: readonly { readonly stage: string; readonly overrides: StageOverrides; readonly configuration?: keyof typeof SHARED_CONFIGURATIONS }[] = [
  { stage: 'local', overrides: {} },
  { stage: 'local', overrides: { authMode: 'action' } },
  { stage: 'local', overrides: { authMode: 'action', authorizeDeadlineSeconds: 900 } },
  { stage: 'local', overrides: { authMode: 'action', authorizeDeadlineSeconds: 120 } },
  { stage: 'dev', overrides: {} },
  // One test file each: synthesized here, as a synthesis costs ~0.1 s in this process, which has
  // the CDK loaded, and 1–3 s in a worker, which loads it first.
  { stage: 'dev', overrides: { authMode: 'authorizer' } },
  { stage: 'dev', overrides: { authMode: 'action', authorizeDeadlineSeconds: 1 } },
  { stage: 'dev', overrides: { authMode: 'action', authorizeDeadlineSeconds: 3 } },
  { stage: 'dev', overrides: { authMode: 'action', authorizeDeadlineSeconds: 300 } },
  { stage: 'dev', overrides: { authMode: 'action', authorizeDeadlineSeconds: 900 } },
  { stage: 'local', overrides: { authMode: 'authorizer', authorizeDeadlineSeconds: 120, allowedOrigins: ['https://app.example.com'] } },
  { stage: 'local', overrides: { authMode: 'action', authorizeDeadlineSeconds: 120, allowedOrigins: ['https://app.example.com'] } },
  { stage: 'local', overrides: { authMode: 'authorizer' }, configuration: 'log-every-event' },
  { stage: 'local', overrides: { authMode: 'action', authorizeDeadlineSeconds: 120 }, configuration: 'log-every-event' },
  // template-driven.test.ts: a route added with a fixture function (from the fixture bundles' cache).
  { stage: 'local', overrides: {}, configuration: 'echo-route' },
];

export default async function globalSetup(): Promise<void> {
  ensureFunctionBundles();
  const runDirectory = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-test-run-'));
  const keysDirectoryBefore = process.env.WS_NOTIFY_KEYS_DIR;
  // The workers start after this and inherit the variables: their stacks copy these keys, and
  // every temporary directory of the run (a CDK App given no outdir makes one that nothing
  // removes, a test's own, a spawned command's) is made in the run directory, which
  // global-teardown.ts removes.
  process.env[TEST_RUN_DIRECTORY_ENV] = runDirectory;
  const temporary = path.join(runDirectory, 'tmp');
  mkdirSync(temporary);
  process.env.TMPDIR = temporary;
  process.env.WS_NOTIFY_KEYS_DIR = runKeysDirectory(runDirectory);
  try {
    for (const stage of SHARED_KEY_STAGES) await ensureStageKeyPair(stage);
    for (const { stage, overrides, configuration } of COMMON_VARIANTS) {
      const configure = configuration === undefined ? undefined : SHARED_CONFIGURATIONS[configuration];
      synthesizeOncePerRun({ stage: withOverrides(getStage(stage), overrides), ...(configure !== undefined ? { configure } : {}) });
    }
  } finally {
    if (keysDirectoryBefore === undefined) delete process.env.WS_NOTIFY_KEYS_DIR;
    else process.env.WS_NOTIFY_KEYS_DIR = keysDirectoryBefore;
  }
}
