/**
 * The console page: src/console/main.ts bundled by esbuild in memory, inlined with console.css into
 * console.html: one self-contained file, which also works saved as a static page. Its
 * Content-Security-Policy allows exactly that script and style, by hash.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type BuildFailure } from 'esbuild';

/** src/console: the browser code. */
const CONSOLE_SOURCE_DIRECTORY = path.resolve(__dirname, '..', '..', 'console');

const SCRIPT_SLOT = '<script></script>';
const STYLE_SLOT = '<style></style>';

export class ConsolePageBuildError extends Error {
  override readonly name = 'ConsolePageBuildError';
  readonly code = 'console_page_build_failed';
}

export interface ConsolePage {
  readonly html: Buffer;
  /** The Content-Security-Policy header value for `html`. */
  readonly contentSecurityPolicy: string;
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export async function buildConsolePage(sourceDirectory = CONSOLE_SOURCE_DIRECTORY): Promise<ConsolePage> {
  const bundle = build({
    entryPoints: [path.join(sourceDirectory, 'main.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: ['chrome115', 'firefox115', 'safari16'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  }).catch((error: unknown) => {
    const detail = (error as Partial<BuildFailure>).errors?.[0]?.text ?? (error instanceof Error ? error.message : String(error));
    throw new ConsolePageBuildError(`could not bundle the console page: ${detail}`, { cause: error });
  });
  const [template, style, { outputFiles }] = await Promise.all([
    readFile(path.join(sourceDirectory, 'console.html'), 'utf8'),
    readFile(path.join(sourceDirectory, 'console.css'), 'utf8'),
    bundle,
  ]);
  // One entry point, one output file. Inside an inline <script>, "</script" would end the element: escape it (same value in JS).
  const script = outputFiles.map((file) => file.text).join('').replace(/<\/script/gi, '<\\/script');
  if (!template.includes(SCRIPT_SLOT) || !template.includes(STYLE_SLOT)) {
    throw new ConsolePageBuildError(`console.html must contain ${STYLE_SLOT} and ${SCRIPT_SLOT}`);
  }
  const html = template.replace(STYLE_SLOT, () => `<style>${style}</style>`).replace(SCRIPT_SLOT, () => `<script>${script}</script>`);
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "connect-src 'self' ws: wss:",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html: Buffer.from(html, 'utf8'), contentSecurityPolicy };
}
