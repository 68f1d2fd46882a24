/**
 * The code a function instance's worker thread runs (as `eval` code): worker-bootstrap.ts, which
 * imports only Node.js modules (and types). From compiled JavaScript it is the file beside this one;
 * run from the TypeScript sources (tsx, jest), it is esbuild's transform of the source, made once per
 * process.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as Esbuild from 'esbuild';

let cached: string | undefined;

export function workerBootstrapCode(): string {
  cached ??= load();
  return cached;
}

function load(): string {
  const compiled = path.join(__dirname, 'worker-bootstrap.js');
  if (existsSync(compiled)) return readFileSync(compiled, 'utf8');
  const sourcefile = path.join(__dirname, 'worker-bootstrap.ts');
  // Loaded here only when running from the sources, where esbuild is installed (a devDependency).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { transformSync } = require('esbuild') as typeof Esbuild;
  const transform = { loader: 'ts', format: 'cjs', platform: 'node', target: 'node20', sourcemap: 'inline', sourcefile } as const;
  return transformSync(readFileSync(sourcefile, 'utf8'), transform).code;
}
