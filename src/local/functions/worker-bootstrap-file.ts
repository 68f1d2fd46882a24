/**
 * The JavaScript file a function instance's worker thread starts with: worker-bootstrap.ts, which
 * imports only Node.js modules (and types), compiled alone. From compiled JavaScript it is the file
 * beside this one; run from the TypeScript sources (tsx, jest), it is esbuild's transform of the
 * source, written once per content under node_modules/.cache so that every runtime of a checkout
 * shares it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { PROJECT_ROOT } from '../../tooling/project-paths';

let cached: string | undefined;

export function workerBootstrapFile(): string {
  cached ??= locate();
  return cached;
}

/** esbuild's options for the bootstrap alone; its imports are Node.js modules and types. */
const TRANSFORM = { loader: 'ts', format: 'cjs', platform: 'node', target: 'node20', sourcemap: 'inline' } as const;

function locate(): string {
  const compiled = path.join(__dirname, 'worker-bootstrap.js');
  if (existsSync(compiled)) return compiled;
  const sourceFile = path.join(__dirname, 'worker-bootstrap.ts');
  const source = readFileSync(sourceFile, 'utf8');
  // Named after the source and the options: an unchanged source is found without loading esbuild.
  const key = createHash('sha256').update(JSON.stringify(TRANSFORM)).update(source).digest('hex').slice(0, 16);
  const file = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'ws-notify', `worker-bootstrap-${key}.js`);
  if (existsSync(file)) return file;
  // Loaded here only when running from the sources, where esbuild is installed (a devDependency).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { transformSync } = require('esbuild') as typeof Esbuild;
  const { code } = transformSync(source, { ...TRANSFORM, sourcefile: sourceFile });
  mkdirSync(path.dirname(file), { recursive: true });
  // Written aside and renamed: another runtime may be starting a worker from the same file.
  const temporary = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, file);
  return file;
}
