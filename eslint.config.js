// Lint: typescript-eslint's recommended type-aware rules over infra/, src/ and test/, and the
// layers of docs/architecture.md as import rules (test/infra/lint-boundaries.test.ts plants a
// violation of each; CommonJS, so that the test can load this file in jest).
const { builtinModules } = require('node:module');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/** A relative import of a folder at the repository root or under src/, from any depth. */
const folder = (names) => `^(?:\\.{1,2}/)+(?:src/)?(?:${names.join('|')})(?:/|$)`;

const NOT_IN_PRODUCTION = {
  regex: folder(['local', 'cli', 'tooling', 'infra']),
  message: 'Production code (src/functions, src/handlers, src/commons) never imports the local runtime, the CLI, tooling or infra.',
};

const AWS_SDK_OUTSIDE_ADAPTERS = {
  group: ['@aws-sdk/*'],
  message: 'Only the adapters in src/commons/clients/ call the AWS SDK; take a client or an adapter from there.',
};

const NODE_MODULES_IN_BROWSER = [
  {
    // A regex, not a gitignore-style group: a group `events` would also match `./events`.
    regex: `^(?:node:)?(?:${[...new Set(builtinModules.map((name) => name.replace(/^node:/, '')))].map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})(?:/.*)?$`,
    message: 'Browser code imports no Node.js module.',
  },
  {
    regex: folder(['local', 'cli', 'tooling', 'infra', 'functions', 'handlers']),
    message: 'Browser code imports no Node.js code of the project.',
  },
  { group: ['ws', '@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'esbuild'], message: 'Browser code imports no Node.js package.' },
];

/** One rule per folder: a later config for the same file replaces the rule, so each block lists all its patterns. */
const restrictImports = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

module.exports = tseslint.config(
  // docs/examples/ are apps of their own that depend on the published package; test/load/package.test.ts type-checks them against it.
  { ignores: ['node_modules/', 'cdk.out/', '.local/', 'coverage/', 'test-results/', 'dist/', 'docs/examples/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/functions/**/*.ts', 'src/handlers/**/*.ts', 'src/commons/**/*.ts'],
    rules: restrictImports([NOT_IN_PRODUCTION, AWS_SDK_OUTSIDE_ADAPTERS]),
  },
  {
    files: ['src/commons/clients/**/*.ts'],
    rules: restrictImports([NOT_IN_PRODUCTION]),
  },
  {
    files: ['infra/**/*.ts'],
    rules: restrictImports([{ regex: folder(['local']), message: 'infra/ never imports the local runtime; what both need lives in infra/.' }]),
  },
  {
    files: ['src/local/**/*.ts', 'src/tooling/**/*.ts'],
    rules: restrictImports([{ regex: folder(['cli']), message: 'The local runtime and tooling never import the CLI; shared helpers live in src/tooling.' }]),
  },
  {
    files: ['src/console/**/*.ts', 'src/client/**/*.ts'],
    rules: restrictImports(NODE_MODULES_IN_BROWSER),
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
