/**
 * `npm run test:e2e`: browser end-to-end tests in headless Chromium (Debian's /usr/bin/chromium,
 * driven by playwright-core). Same transform and setup as `npm test`, which does not run them.
 */
const base = require('../jest-base.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
  // One browser at a time on a 2-core machine.
  maxWorkers: 1,
  testTimeout: 60000,
};
