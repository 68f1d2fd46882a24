/**
 * `npm run test:load`: the bounded load and soak test (loopback only). Same transform and setup as
 * `npm test`, which does not run it. The stack and the clients run in child processes of their own.
 */
const path = require('node:path');
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: path.resolve(__dirname, '..', '..'),
  testMatch: ['<rootDir>/test/load/**/*.test.ts'],
  // One load test at a time: it means to have the machine to itself.
  maxWorkers: 1,
  testTimeout: 600000,
};
