/**
 * `npm run bench`'s cold-start section compares each function's bundle with a minimal bundle doing
 * the same work (test/bench/baselines/<entry>.ts, named after the function's entry in
 * src/functions) and stops when one is missing: a new function needs its baseline.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

describe('Cold-start baselines of the benchmark', () => {
  it('exist for every function entry', () => {
    // Prepare
    const entries = readdirSync(path.join(ROOT, 'src/functions')).filter((file) => file.endsWith('.ts'));

    // Act
    const missing = entries.filter((entry) => !existsSync(path.join(ROOT, 'test/bench/baselines', entry)));

    // Assess
    expect(entries.length).toBeGreaterThanOrEqual(10);
    expect(missing).toEqual([]);
  });
});
