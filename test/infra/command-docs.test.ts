/**
 * The commands the documentation shows work as a new user copies them: a token captured from an
 * npm script has npm's banner left out (`-s`) or comes from `npx ws-notify token`; the WebSocket
 * client is one every clone has (`npx wscat`, a devDependency), not a system package; the ports
 * are the start command's defaults; the AWS CLI gets the dummy credentials and region it needs
 * against the local endpoints; the one command and its --help are shown.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startCommand } from '../../src/cli/start';
import { PROJECT_ROOT } from '../../src/tooling/project-paths';

function markdownFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : markdownFiles(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

const DOCS = [path.join(PROJECT_ROOT, 'README.md'), ...markdownFiles(path.join(PROJECT_ROOT, 'docs'))];
const read = (file: string): string => readFileSync(file, 'utf8');
const relative = (file: string): string => path.relative(PROJECT_ROOT, file);
const README = read(path.join(PROJECT_ROOT, 'README.md'));
const LOCAL = read(path.join(PROJECT_ROOT, 'docs', 'local.md'));

/** The fenced code blocks of a Markdown text. */
function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((match) => match[1] ?? '');
}

/** `file:line: text` of every line of the docs that matches. */
function linesMatching(pattern: RegExp): string[] {
  return DOCS.flatMap((file) =>
    read(file)
      .split('\n')
      .flatMap((line, index) => (pattern.test(line) ? [`${relative(file)}:${index + 1}: ${line.trim()}`] : [])),
  );
}

describe('Documentation: the commands as a new user copies them', () => {
  it('never shows the token command as an npm script without -s, which would capture npm\'s banner into the token', () => {
    // Act
    const unsilenced = linesMatching(/npm run (?!-s )token\b|\$\(npm run (?!-s )/);

    // Assess
    expect(unsilenced).toEqual([]);
  });

  it('connects with npx wscat, which every clone has, not websocat, which Debian does not package', () => {
    // Act
    const websocat = [...DOCS.flatMap((file) => codeBlocks(read(file)).flatMap((block) => (/\bwebsocat\b/.test(block) ? [relative(file)] : []))), ...linesMatching(/`websocat /)];

    // Assess
    expect(websocat).toEqual([]);
    expect(README).toContain('npx wscat -c "ws://127.0.0.1:3001/local?token=$(npx ws-notify token --user 1234)"');
    expect(LOCAL).toContain('npx wscat -c "ws://127.0.0.1:3001/local?token=$(npx ws-notify token --user 1234)"');
    const manifest = JSON.parse(read(path.join(PROJECT_ROOT, 'package.json'))) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies.wscat).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("gives the start command's default ports in the flag table and the start-up lines, and no longer 8000 or 9324", () => {
    // Prepare
    const { flags } = startCommand;
    const defaults = { port: flags.port.default, dynamodb: flags['dynamodb-port'].default, sqs: flags['sqs-port'].default };

    // Assess
    expect(defaults).toEqual({ port: '3001', dynamodb: '3002', sqs: '3003' });
    expect(LOCAL).toContain(`| \`--port N\` | ${defaults.port} |`);
    expect(LOCAL).toContain(`| \`--dynamodb-port N\` | ${defaults.dynamodb} |`);
    expect(LOCAL).toContain(`| \`--sqs-port N\` | ${defaults.sqs} |`);
    expect(LOCAL).toContain(`  DynamoDB:         http://127.0.0.1:${defaults.dynamodb} (table WsNotify-local-Connections)`);
    expect(LOCAL).toContain(`  SQS:              http://127.0.0.1:${defaults.sqs} (queues`);
    expect(linesMatching(/127\.0\.0\.1:(8000|9324)\b|\| (8000|9324) \|/)).toEqual([]);
  });

  it('gives every AWS CLI command against the local endpoints the dummy credentials and region it needs', () => {
    // Prepare: each block of docs/local.md that runs the AWS CLI.
    const blocks = codeBlocks(LOCAL).filter((block) => /^(\S+=\S+ )*aws /m.test(block));

    // Assess
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      for (const variable of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION']) expect(block).toMatch(new RegExp(`\\b${variable}=\\S`));
      for (const endpoint of block.match(/--endpoint-url \S+/g) ?? []) expect(endpoint).toMatch(/^--endpoint-url http:\/\/127\.0\.0\.1:(3002|3003)$/);
    }
  });

  it('shows the one ws-notify command, its --help, and the npm script forms that keep working', () => {
    // Assess
    expect(README).toContain('ws-notify <start|token|notify|keys|synth|deploy> [flags]');
    expect(README).toContain('`npx ws-notify --help` lists the commands');
    expect(README).toContain('`npm start -- [flags]`, `npm run -s <command> --\n[flags]`');
    expect(LOCAL).toContain('`npx ws-notify start --help` lists its flags');
    expect(LOCAL).toContain('npx ws-notify start --app docs/examples/existing-app');
  });
});
