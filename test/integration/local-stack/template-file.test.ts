/**
 * A template synthesized earlier, run instead of synthesizing the stage (`ws-notify start --template
 * FILE`, src/local/template/template-file.ts): its relative asset paths resolved against its
 * directory as in a cloud assembly, and a template of another stage, auth mode or key refused in
 * one line. The spawned command with --template is test/integration/local-stack/start-command.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getStage, withOverrides } from '../../../infra/stages';
import { readTemplateFile } from '../../../src/local/template/template-file';
import { StackTemplateError } from '../../../src/local/template/template-errors';
import { ensureStageKeyPair } from '../../../src/tooling/stage-keys';
import { frame, startTestStack } from '../../helpers/local-stack';
import { writeRunTemplate } from '../../helpers/shared-synthesis';

interface FunctionResource {
  Type: string;
  Metadata?: Record<string, unknown>;
}

describe('Function: readTemplateFile', () => {
  let home: string;
  let keysDirectory: string;
  let keysDirectoryBefore: string | undefined;

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'ws-notify-template-file-'));
    keysDirectory = path.join(home, 'keys');
    keysDirectoryBefore = process.env.WS_NOTIFY_KEYS_DIR;
    process.env.WS_NOTIFY_KEYS_DIR = keysDirectory;
  });

  afterEach(() => {
    if (keysDirectoryBefore === undefined) delete process.env.WS_NOTIFY_KEYS_DIR;
    else process.env.WS_NOTIFY_KEYS_DIR = keysDirectoryBefore;
    rmSync(home, { recursive: true, force: true });
  });

  it('runs a template whose asset paths are relative to its directory, as in a cloud assembly', async () => {
    // Prepare: the run's template of stage local, its asset paths made relative to the file's directory.
    const assembly = path.join(home, 'cdk.out');
    const file = writeRunTemplate(getStage('local'), keysDirectory, assembly);
    const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources: Record<string, FunctionResource> };
    const relative: string[] = [];
    for (const resource of Object.values(template.Resources)) {
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (resource.Type !== 'AWS::Lambda::Function' || typeof assetPath !== 'string') continue;
      resource.Metadata!['aws:asset:path'] = path.relative(assembly, assetPath);
      relative.push(String(resource.Metadata!['aws:asset:path']));
    }
    writeFileSync(file, JSON.stringify(template));

    // Act
    const t = await startTestStack({ stage: 'local', synthesize: ({ stage }) => readTemplateFile(file, stage), endpointsFile: false });
    try {
      const { client, connectionId } = await t.connectAs('reader');

      // Assess
      expect(relative.length).toBeGreaterThan(0);
      expect(relative.every((assetPath) => !path.isAbsolute(assetPath))).toBe(true);
      expect(t.stack.endpoints.stage).toBe('local');
      expect(frame(await client.request(JSON.stringify({ action: 'ping' })))).toEqual({ type: 'pong', connectionId });
    } finally {
      await t.close();
    }
  });

  it('returns the stack name of the file name and the directory of the file as the assembly', () => {
    // Prepare
    const file = writeRunTemplate(getStage('dev'), keysDirectory, path.join(home, 'out'));

    // Act
    const synthesized = readTemplateFile(file, getStage('dev'));

    // Assess
    expect(path.basename(file)).toBe('WsNotify-dev.template.json');
    expect(synthesized).toMatchObject({ stackName: 'WsNotify-dev', assemblyDirectory: path.join(home, 'out') });
    expect(synthesized.template).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  it('refuses the template of another stage', () => {
    const file = writeRunTemplate(getStage('dev'), keysDirectory, path.join(home, 'out'));

    expect(() => readTemplateFile(file, getStage('local'))).toThrow(
      expect.objectContaining({ name: 'StackTemplateError', code: 'other_stage', message: `the template ${file} is of stage "dev", not local` }) as Error,
    );
  });

  it('refuses a template of another auth mode than the stage runs', () => {
    const file = writeRunTemplate(getStage('local'), keysDirectory, path.join(home, 'out'));

    expect(() => readTemplateFile(file, withOverrides(getStage('local'), { authMode: 'action' }))).toThrow(
      expect.objectContaining({ code: 'other_stage', message: `the template ${file} runs auth mode "authorizer", stage local action: synthesize it again` }) as Error,
    );
  });

  it('refuses a template synthesized with another key of the stage', async () => {
    // Prepare: the template of the run's key; then a key pair of the stage's own in another directory.
    const file = writeRunTemplate(getStage('local'), keysDirectory, path.join(home, 'out'));
    process.env.WS_NOTIFY_KEYS_DIR = path.join(home, 'other-keys');
    await ensureStageKeyPair('local');

    // Act & Assess
    expect(() => readTemplateFile(file, getStage('local'))).toThrow(
      expect.objectContaining({ code: 'other_stage', message: `the template ${file} was synthesized with another signing key of stage local: synthesize it again` }) as Error,
    );
  });

  it.each([
    ['a file that is not there', 'missing/WsNotify-local.template.json', undefined, /^the template .+missing\/WsNotify-local\.template\.json cannot be read \(ENOENT\)$/],
    ['a file that is not JSON', 'WsNotify-local.template.json', '{ "Resources": ', /^the template .+WsNotify-local\.template\.json is not valid JSON$/],
    ['a file not named as cdk synth names a template', 'manifest.json', '{}', /^.+manifest\.json is not a template as cdk synth writes it, <stack>\.template\.json$/],
  ])('refuses %s in one line', (_label, name, content, message) => {
    // Prepare
    const file = path.join(home, name);
    if (content !== undefined) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }

    // Act
    let error: unknown;
    try {
      readTemplateFile(file, getStage('local'));
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(StackTemplateError);
    expect(error).toMatchObject({ code: 'unreadable_template', message: expect.stringMatching(message) as unknown });
  });
});
