import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/tooling/project-paths';

interface PackageJson {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

interface PackageLock {
  readonly packages: Record<string, { readonly version?: string }>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(path.join(PROJECT_ROOT, file), 'utf8')) as T;

describe('Dependencies', () => {
  const manifest = readJson<PackageJson>('package.json');
  const lock = readJson<PackageLock>('package-lock.json');

  it('pins every dependency to an exact version', () => {
    // Prepare
    const all = { ...manifest.dependencies, ...manifest.devDependencies };

    // Assess
    const ranges = Object.entries(all).filter(([, version]) => !/^\d+\.\d+\.\d+$/.test(version));
    expect(ranges).toEqual([]);
  });

  it('pins every Powertools package to one version, and the lock holds one copy of their commons', () => {
    // Prepare
    const all = { ...manifest.dependencies, ...manifest.devDependencies };
    const powertools = Object.entries(all).filter(([name]) => name.startsWith('@aws-lambda-powertools/'));

    // Act
    const versions = new Set(powertools.map(([, version]) => version));
    const commons = Object.entries(lock.packages).filter(([location]) => location.endsWith('node_modules/@aws-lambda-powertools/commons'));

    // Assess
    expect(powertools.length).toBeGreaterThan(0);
    expect(versions.size).toBe(1);
    expect(commons.map(([location, entry]) => [location, entry.version])).toEqual([['node_modules/@aws-lambda-powertools/commons', [...versions][0]]]);
  });
});
