/**
 * `npm run test:load`: load and soak tests (loopback only), which `npm test` does not run: the
 * 5,000-connection run, the runs that send thousands of frames or messages, and the packed package
 * installed in fresh projects (package.test.ts, existing-app.test.ts). Same transform,
 * setup and global setup (function bundles, stage keys, shared templates) as the integration tier.
 */
const base = require('../jest-base.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/load/**/*.test.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // One load test at a time: it means to have the machine to itself.
  maxWorkers: 1,
  testTimeout: 600000,
};
