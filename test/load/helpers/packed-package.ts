/**
 * The package as `npm pack` makes it, built and packed once per run of the load tier: the first test
 * file that needs it runs `npm run build` (what pack's prepack runs, run first so that pack's --json
 * output is alone on stdout) and `npm pack` into the run directory (test/helpers/global-setup.ts);
 * the others reuse that tarball. The load tier runs one file at a time (test/load/jest.config.js), so
 * no two files pack at once. Without a run directory, it packs into `fallbackDirectory`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../src/tooling/project-paths';
import { TEST_RUN_DIRECTORY_ENV } from '../../helpers/shared-synthesis';
import { spawnCommand, succeeded } from '../../helpers/spawn-command';

export interface PackedPackage {
  /** The tarball's absolute path. */
  readonly tarball: string;
  /** Every file in it, as `npm pack --json` lists them (`dist/infra/ws-notify.js`, …). */
  readonly files: readonly string[];
}

export async function packedPackage(fallbackDirectory: string): Promise<PackedPackage> {
  const runDirectory = process.env[TEST_RUN_DIRECTORY_ENV];
  const directory = runDirectory === undefined ? fallbackDirectory : path.join(runDirectory, 'package');
  const record = path.join(directory, 'packed.json');
  if (existsSync(record)) return JSON.parse(readFileSync(record, 'utf8')) as PackedPackage;
  mkdirSync(directory, { recursive: true });
  succeeded(await spawnCommand('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT, env: {} }), 'npm run build');
  const pack = await spawnCommand('npm', ['pack', '--ignore-scripts', '--pack-destination', directory, '--json', '--loglevel=error'], { cwd: PROJECT_ROOT, env: {} });
  const [packed] = JSON.parse(succeeded(pack, 'npm pack')) as [{ filename: string; files: { path: string }[] }];
  const result: PackedPackage = { tarball: path.join(directory, packed.filename), files: packed.files.map((file) => file.path) };
  writeFileSync(record, JSON.stringify(result));
  return result;
}
