/**
 * The client as a browser gets it: src/client/index.ts bundled by esbuild (minified ESM for the
 * browser) must stay under 6 KB gzipped and pull in nothing but its own files and the protocol's
 * error codes (src/commons/error-codes.ts, which imports nothing). docs/client.md records the
 * measured size. (Not a unit test: esbuild runs as a child process.)
 */
import { build } from 'esbuild';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const LIMIT_BYTES = 6 * 1024;
const ROOT = path.resolve(__dirname, '../../..');

describe('ws-notify/client bundle', () => {
  it('is under 6 KB min+gzip and made of src/client and the service error codes only', async () => {
    // Act
    const result = await build({
      entryPoints: [path.join(ROOT, 'src/client/index.ts')],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      absWorkingDir: ROOT,
      logLevel: 'silent',
    });
    const minified = result.outputFiles[0]!.contents;
    const gzipped = gzipSync(minified).length;
    console.log(`ws-notify/client: ${minified.length} bytes minified, ${gzipped} bytes min+gzip`);

    // Assess
    expect(gzipped).toBeLessThan(LIMIT_BYTES);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.length).toBeGreaterThan(1);
    for (const input of inputs) expect(input).toMatch(/^(src\/client\/[a-z-]+\.ts|src\/commons\/error-codes\.ts)$/);
  });
});
