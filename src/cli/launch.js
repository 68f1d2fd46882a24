#!/usr/bin/env node
/**
 * The `ws-notify` executable (package.json `bin`) and the entry of the npm scripts (`npm start`,
 * `npm run token`, …): runs src/cli/ws-notify.ts in this process, its TypeScript compiled on load
 * by tsx, so that a clone works right after `npm ci` with no build step.
 *
 * The packed package is the libraries (ws-notify/cdk, ws-notify/publisher, ws-notify/client) and
 * holds no command sources: the commands work on this repository (its stages, keys, CDK app and
 * local runtime, with their devDependencies). There this file says so in one line.
 */
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const entry = path.join(__dirname, 'ws-notify.ts');
if (!existsSync(entry)) {
  process.stderr.write(
    'ws-notify: the commands run in a clone of the ws-notify repository (npm ci, then npx ws-notify --help); this package holds the libraries ws-notify/cdk, ws-notify/publisher and ws-notify/client\n',
  );
  process.exitCode = 1;
} else {
  require('tsx/cjs/api').register();
  require(entry).runAsProcess();
}
