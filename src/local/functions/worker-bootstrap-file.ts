/**
 * The JavaScript file a function instance's worker thread starts with: worker-bootstrap.ts, which
 * imports only Node.js modules (and types), compiled alone. From compiled JavaScript it is the file
 * beside this one; run from the TypeScript sources (tsx, jest), it is esbuild's transform of the
 * source, written once per content under node_modules/.cache, so that the processes of a checkout
 * (each test file's, each `npm start`) do not each load esbuild and transform it again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { PROJECT_ROOT } from '../../tooling/project-paths';

const TRANSFORM = { loader: 'ts', format: 'cjs', platform: 'node', target: 'node20', sourcemap: 'inline' } as const;
let cached: string | undefined;

export function workerBootstrapFile(): string {
  cached ??= locate();
  return cached;
}

function locate(): string {
  const compiled = path.join(__dirname, 'worker-bootstrap.js');
  if (existsSync(compiled)) return compiled;
  const sourcefile = path.join(__dirname, 'worker-bootstrap.ts');
  const source = readFileSync(sourcefile, 'utf8');
  const key = createHash('sha256').update(JSON.stringify(TRANSFORM)).update(source).digest('hex').slice(0, 16);
  const file = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'ws-notify', `worker-bootstrap-${key}.js`);
  if (existsSync(file)) return file;
  // Loaded here only when running from the sources, where esbuild is installed (a devDependency).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { transformSync } = require('esbuild') as typeof Esbuild;
  mkdirSync(path.dirname(file), { recursive: true });
  // Written aside and renamed: another process may be starting a worker from the same file.
  writeFileSync(`${file}.${process.pid}.tmp`, transformSync(source, { ...TRANSFORM, sourcefile }).code);
  renameSync(`${file}.${process.pid}.tmp`, file);
  return file;
}
