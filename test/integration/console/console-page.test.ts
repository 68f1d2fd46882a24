import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildConsolePage, ConsolePageBuildError } from '../../../src/local/console/console-page';
import { temporaryDirectory } from '../../unit/helpers/temp-dir';

function hashOf(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

describe('Function: buildConsolePage', () => {
  it('inlines the browser bundle and the style, and allows exactly those by hash', async () => {
    const page = await buildConsolePage();

    const html = page.html.toString('utf8');
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(script).not.toMatch(/<\/script/i);
    expect(page.contentSecurityPolicy).toContain(`script-src ${hashOf(script!)}`);
    expect(page.contentSecurityPolicy).toContain(`style-src ${hashOf(style!)}`);
    expect(page.contentSecurityPolicy).toContain("default-src 'none'");
    expect(page.contentSecurityPolicy).toContain("frame-ancestors 'none'");
  });

  it('fails with ConsolePageBuildError when the browser code does not build (a Node.js module in browser code)', async () => {
    const dir = temporaryDirectory('ws-notify-console-src-');
    try {
      mkdirSync(dir.path, { recursive: true });
      writeFileSync(path.join(dir.path, 'main.ts'), "import { readFileSync } from 'node:fs';\nconsole.log(readFileSync);\n");
      writeFileSync(path.join(dir.path, 'console.html'), '<style></style><script></script>');
      writeFileSync(path.join(dir.path, 'console.css'), '');

      await expect(buildConsolePage(dir.path)).rejects.toThrow(ConsolePageBuildError);
    } finally {
      dir.remove();
    }
  });
});
