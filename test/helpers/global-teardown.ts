/** The integration tier's global teardown (jest.config.js): removes the run directory of global-setup.ts, the run's temporary directories with it. */
import { rmSync } from 'node:fs';
import { TEST_RUN_DIRECTORY_ENV } from './shared-synthesis';

export default function globalTeardown(): void {
  const runDirectory = process.env[TEST_RUN_DIRECTORY_ENV];
  if (runDirectory !== undefined) rmSync(runDirectory, { recursive: true, force: true });
  delete process.env[TEST_RUN_DIRECTORY_ENV];
  if (process.env.TMPDIR?.startsWith(`${runDirectory}/`) === true) delete process.env.TMPDIR;
}
