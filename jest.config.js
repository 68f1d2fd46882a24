/** Jest configuration: swc transform for TypeScript, jose (ESM-only) included in the transform. */
/** @type {import('jest').Config} */
const swcTransform = ['@swc/jest', {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
}];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swcTransform },
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  roots: ['<rootDir>/test'],
  // `npm test`: everything that needs no browser. e2e (Chromium), load and bench have their own scripts.
  testMatch: ['<rootDir>/test/{unit,integration,infra}/**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  maxWorkers: 2,
  testTimeout: 30000,
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.d.ts'],
};
