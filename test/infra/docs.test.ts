/**
 * The documentation is self-contained and points at things that exist: every relative link of
 * every Markdown file reaches a file (and, with a `#fragment`, a heading of it), every repository
 * path a doc names in backticks exists, and nothing refers to documents outside the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/tooling/project-paths';

/** Directories that hold no project documentation (dependencies, build output, local state). */
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules', 'cdk.out', '.local', '.keys', 'coverage', 'test-results']);

function filesUnder(directory: string, keep: (file: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) found.push(...filesUnder(full, keep));
    } else if (keep(full)) {
      found.push(full);
    }
  }
  return found;
}

/** The text without fenced code blocks and inline code, where brackets are not links. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Link targets: `[text](target)`, `![alt](target)` and `[label]: target`. */
function linkTargets(markdown: string): string[] {
  const text = withoutCode(markdown);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1] ?? '');
  const references = [...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((match) => match[1] ?? '');
  return [...inline, ...references];
}

/** GitHub's anchors for the headings of a Markdown file. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const match of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = (match[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const seen = counts.get(slug) ?? 0;
    counts.set(slug, seen + 1);
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
  }
  return anchors;
}

const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target);

/** What is wrong with one link of `file`, or undefined when it resolves. */
function brokenLink(file: string, target: string): string | undefined {
  if (isExternal(target)) return undefined;
  const [rawPath = '', fragment] = target.split('#', 2);
  const linkPath = decodeURIComponent(rawPath);
  const resolved = linkPath === '' ? file : path.resolve(path.dirname(file), linkPath);
  if (!existsSync(resolved)) return `${target}: no such file`;
  if (fragment === undefined || fragment === '' || !resolved.endsWith('.md') || statSync(resolved).isDirectory()) return undefined;
  return headingAnchors(readFileSync(resolved, 'utf8')).has(fragment.toLowerCase()) ? undefined : `${target}: no such heading`;
}

/**
 * Repository paths a doc names in backticks (`src/local/runtime.ts`), resolved from the repository
 * root or, as the threat tables write them, from test/. Patterns (`*`, `<name>`, `{a,b}`) are skipped.
 */
function brokenCodePaths(markdown: string): string[] {
  const named = [...markdown.matchAll(/`((?:src|infra|test|docs)\/[^`\s]*\.[a-z]{2,4})(?::\d+)?`/g)].map((match) => match[1] ?? '');
  return named.filter(
    (name) => !/[*<>{}]/.test(name) && !existsSync(path.join(PROJECT_ROOT, name)) && !existsSync(path.join(PROJECT_ROOT, 'test', name)),
  );
}

const relative = (file: string): string => path.relative(PROJECT_ROOT, file);

describe('Documentation', () => {
  const markdownFiles = filesUnder(PROJECT_ROOT, (file) => file.endsWith('.md'));

  it('finds the Markdown files (README and docs/)', () => {
    expect(markdownFiles.map(relative)).toEqual(expect.arrayContaining(['README.md', path.join('docs', 'architecture.md'), path.join('docs', 'protocol.md')]));
  });

  it('tells a link to a missing file or heading from one that resolves (the check can fail)', () => {
    // Prepare
    const readme = path.join(PROJECT_ROOT, 'README.md');
    const targets = linkTargets('See [local](docs/local.md), [gone](docs/gone.md), [flags](docs/local.md#flags), [nowhere](docs/local.md#nowhere), `[code](docs/x.md)`.');

    // Act
    const problems = targets.map((target) => brokenLink(readme, target));

    // Assess
    expect(targets).toEqual(['docs/local.md', 'docs/gone.md', 'docs/local.md#flags', 'docs/local.md#nowhere']);
    expect(problems).toEqual([undefined, 'docs/gone.md: no such file', undefined, 'docs/local.md#nowhere: no such heading']);
  });

  it('links only to files and headings that exist', () => {
    // Act
    const broken = markdownFiles.flatMap((file) =>
      linkTargets(readFileSync(file, 'utf8')).flatMap((target) => {
        const problem = brokenLink(file, target);
        return problem === undefined ? [] : [`${relative(file)}: ${problem}`];
      }),
    );

    // Assess
    expect(broken).toEqual([]);
  });

  it('names only repository paths that exist', () => {
    // Act
    const broken = markdownFiles.flatMap((file) => brokenCodePaths(readFileSync(file, 'utf8')).map((name) => `${relative(file)}: ${name}`));

    // Assess
    expect(broken).toEqual([]);
  });

  it('refers to no document outside the repository', () => {
    // Prepare: the words are assembled so that this file does not match itself. A section sign is
    // allowed only in a dotted RFC section number (RFC 6455 §5.2).
    const outside = new RegExp(['\\bSP', 'EC\\b|\\.\\./sha', 'red\\b|\u00a7(?!\\d+\\.\\d)'].join(''));
    const files = ['README.md', 'docs', 'src', 'infra', 'test']
      .map((name) => path.join(PROJECT_ROOT, name))
      .flatMap((entry) => (statSync(entry).isDirectory() ? filesUnder(entry, (file) => /\.(ts|js|mjs|md|json|html|css|svg)$/.test(file)) : [entry]));

    // Act
    const offending = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => (outside.test(line) ? [`${relative(file)}:${index + 1}: ${line.trim()}`] : [])),
    );

    // Assess
    expect(files.length).toBeGreaterThan(100);
    expect(offending).toEqual([]);
  });
});
