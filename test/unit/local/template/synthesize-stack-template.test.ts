import path from 'node:path';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { functionCodeDirectory } from '../../../../infra/function-code';
import { getStage, withOverrides, type StageConfig } from '../../../../infra/stages';
import { synthesizeStackTemplate } from '../../../../src/local/template/synthesize-stack-template';
import { MissingStageKeyError } from '../../../../src/tooling/stage-keys';
import { useTemporaryKeys } from '../../../infra/helpers/temporary-keys';

const typesOf = (resources: Record<string, { Type: string }>) => Object.values(resources).map((resource) => resource.Type);

describe('Function: synthesizeStackTemplate', () => {
  useTemporaryKeys(['local']);

  it("returns the stage's stack name and template", () => {
    // Act
    const { stackName, template } = synthesizeStackTemplate({ stage: getStage('local') });

    // Assess
    expect(stackName).toBe('WsNotify-local');
    expect(template.Description).toBe('ws-notify, stage local (auth mode authorizer)');
    expect(typesOf(template.Resources)).toContain('AWS::ApiGatewayV2::Authorizer');
  });

  it('builds the stage as overridden (here: mode action)', () => {
    // Act
    const { template } = synthesizeStackTemplate({ stage: withOverrides(getStage('local'), { authMode: 'action', authorizeDeadlineSeconds: 5 }) });

    // Assess
    expect(typesOf(template.Resources)).not.toContain('AWS::ApiGatewayV2::Authorizer');
    expect(template.Resources.Connect?.Properties?.Environment).toMatchObject({ Variables: { AUTH_MODE: 'action', AUTHORIZE_DEADLINE_SECONDS: '5' } });
  });

  it('applies configure to the stack before synthesis', () => {
    // Act
    const { template } = synthesizeStackTemplate({
      stage: getStage('local'),
      configure: (stack) => {
        new LambdaFunction(stack, 'Echo', { runtime: Runtime.NODEJS_24_X, handler: 'echo.handler', code: Code.fromAsset(path.join(__dirname, 'fixtures')) });
      },
    });

    // Assess
    expect(Object.keys(template.Resources).filter((id) => id.startsWith('Echo') && template.Resources[id]?.Type === 'AWS::Lambda::Function')).toHaveLength(1);
  });

  it("names each function's code in place: the absolute path of its bundle, not a copy in the cloud assembly", () => {
    // Act
    const { template } = synthesizeStackTemplate({ stage: getStage('local') });

    // Assess
    expect(template.Resources.Ping?.Metadata).toMatchObject({ 'aws:asset:path': functionCodeDirectory('ping'), 'aws:asset:property': 'Code' });
    expect(template.Resources.NotifyUser?.Metadata).toMatchObject({ 'aws:asset:path': functionCodeDirectory('notify-user'), 'aws:asset:property': 'Code' });
  });

  it('bundles nothing at synthesis (the functions are bundled ahead of it)', () => {
    // Prepare: aws-cdk-lib announces every bundling on stderr.
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);

    // Act
    try {
      synthesizeStackTemplate({ stage: getStage('local') });
    } finally {
      stderr.mockRestore();
    }

    // Assess
    const written = stderr.mock.calls.map(([chunk]) => String(chunk));
    expect(written.filter((line) => line.includes('Bundling asset'))).toEqual([]);
  });

  it('fails with MissingStageKeyError for a stage whose key pair has not been made', () => {
    // Prepare
    const stage: StageConfig = getStage('prod');

    // Act & Assess
    expect(() => synthesizeStackTemplate({ stage })).toThrow(MissingStageKeyError);
  });
});
