/**
 * The layers of docs/architecture.md are lint rules (eslint.config.js): each rule fails on a planted
 * violation, and the same imports are fine where the layers allow them. The planted files are
 * linted in memory through ESLint's Node API with the project's configuration; type-aware rules
 * are switched off for them, as the files exist only in memory.
 */
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { PROJECT_ROOT } from '../../src/tooling/project-paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the configuration is CommonJS
const projectConfig = require(path.join(PROJECT_ROOT, 'eslint.config.js')) as Linter.Config[];

const eslint = new ESLint({
  cwd: PROJECT_ROOT,
  overrideConfigFile: true,
  overrideConfig: [...projectConfig, tseslint.configs.disableTypeChecked],
});

/** The rules that fired on `source` as the file `file`. */
async function lint(file: string, source: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(PROJECT_ROOT, file) });
  return (result?.messages ?? []).map(({ ruleId, message }) => ({ ruleId, message }));
}

const uses = (specifier: string): string => `import * as planted from '${specifier}';\nexport const value: unknown = planted;\n`;

describe('Lint: layer boundaries', () => {
  it.each([
    ['src/handlers/planted.ts', '../local/runtime', 'Production code'],
    ['src/functions/planted.ts', '../cli/cli-support', 'Production code'],
    ['src/commons/planted.ts', '../tooling/project-paths', 'Production code'],
    ['src/commons/clients/planted.ts', '../../../infra/stages', 'Production code'],
    ['src/handlers/planted.ts', '@aws-sdk/client-dynamodb', 'Only the adapters'],
    ['src/functions/planted.ts', '@aws-sdk/client-sqs', 'Only the adapters'],
    ['src/commons/planted.ts', '@aws-sdk/lib-dynamodb', 'Only the adapters'],
    ['infra/constructs/planted.ts', '../../src/local/runtime', 'infra/ never imports the local runtime'],
    ['src/local/console/planted.ts', '../../cli/cli-support', 'never import the CLI'],
    ['src/tooling/planted.ts', '../cli/cli-support', 'never import the CLI'],
    ['src/console/planted.ts', 'node:fs', 'Browser code imports no Node.js module'],
    ['src/console/planted.ts', 'path', 'Browser code imports no Node.js module'],
    ['src/console/planted.ts', 'fs/promises', 'Browser code imports no Node.js module'],
    ['src/client/planted.ts', 'node:crypto', 'Browser code imports no Node.js module'],
    ['src/client/planted.ts', 'events', 'Browser code imports no Node.js module'],
    ['src/client/planted.ts', 'timers/promises', 'Browser code imports no Node.js module'],
    ['src/client/planted.ts', 'ws', 'Browser code imports no Node.js package'],
    ['src/client/planted.ts', '../tooling/stage-keys', 'Browser code imports no Node.js code'],
  ])('fails %s importing %s', async (file, specifier, reason) => {
    // Act
    const messages = await lint(file, uses(specifier));

    // Assess
    expect(messages.map((found) => found.ruleId)).toEqual(['no-restricted-imports']);
    expect(messages[0]?.message).toContain(reason);
  });

  it.each([
    ['src/commons/clients/planted.ts', '@aws-sdk/client-dynamodb'],
    ['src/handlers/planted.ts', '../commons/frames'],
    ['src/local/gateway/planted.ts', '../../commons/websocket-events'],
    ['src/local/console/planted.ts', '../../tooling/stage-tokens'],
    ['src/cli/planted.ts', '../local/runtime'],
    ['infra/planted.ts', '../src/tooling/stage-keys'],
    ['src/console/planted.ts', './console-api'],
    ['src/client/planted.ts', './events'],
    ['src/client/planted.ts', './timers'],
    ['test/unit/planted.ts', '../../src/local/runtime'],
  ])('accepts %s importing %s', async (file, specifier) => {
    // Act
    const messages = await lint(file, uses(specifier));

    // Assess
    expect(messages).toEqual([]);
  });
});
