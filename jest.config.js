/**
 * `npm test`: every tier but load, each a jest project.
 * - unit (`npm run test:unit`): test/unit, in memory only. test/unit/tier-guard.ts fails a test that
 *   opens a socket, starts a process or a worker thread, or waits on a real timer; aws-cdk-lib does
 *   not load (test/unit/no-cdk.ts): a test that synthesizes belongs in test/infra.
 * - integration: test/integration, on the real local stack with real clients and unmodified SDK
 *   clients. test/helpers/global-setup.ts builds the function bundles, makes the stage keys and
 *   synthesizes the stacks the test files share, once per run.
 * - infra: test/infra, CDK synthesis, the construct, the CLI and the docs.
 * Load and soak (test/load, `npm run test:load`) and the browser (test/e2e, `npm run test:e2e`)
 * have configs of their own; the benchmark is `npm run bench`.
 */
const base = require('./test/jest-base.js');

/** Set up once for the integration and infra tiers (jest runs a global setup named twice once). */
const sharedRun = {
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/unit/tier-guard.ts'],
      moduleNameMapper: { '^aws-cdk-lib(/.*)?$': '<rootDir>/test/unit/no-cdk.ts' },
    },
    {
      ...base,
      ...sharedRun,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    {
      ...base,
      ...sharedRun,
      displayName: 'infra',
      testMatch: ['<rootDir>/test/infra/**/*.test.ts'],
    },
  ],
  // Three workers on the 2 CPUs of the machines this runs on: the integration and infra files spend
  // part of their time waiting (sockets, worker threads, spawned commands), which a third file fills.
  // Measured one after the other on a quiet 2-CPU machine: 122 s with two workers, 117 s with three
  // (docs/testing.md).
  maxWorkers: 3,
  // How long jest waits for a worker to exit once the run is over before killing it and warning
  // "A worker process has failed to exit gracefully". Jest's 500 ms was too short here: after ~50
  // files a worker holds 400-650 MB of heap, and on 2 busy CPUs it took longer than that to exit,
  // with nothing left open (its active resources at the end: its stdio and IPC pipes only; docs/testing.md).
  // A handle a test leaks keeps a worker alive for good, so the warning still shows one.
  workerGracefulExitTimeout: 5000,
  // One bound for every project (jest reads it for the whole run). It bounds a hang and measures
  // nothing: on a busy machine a test on the stack runs several times slower.
  testTimeout: 60000,
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.d.ts'],
};
