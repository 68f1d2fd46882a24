import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildInProcessApp } from '../../infra/app-factory';
import { getStage, withOverrides, type StageConfig } from '../../infra/stages';
import { type WsNotifyStack } from '../../infra/ws-notify-stack';
import { SHIPPED_STAGES } from './helpers/stack-template';
import { useTemporaryKeys } from './helpers/temporary-keys';

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string; severity?: string; violatingResources?: unknown[] }[] }[];
}

/**
 * Synthesizes the stage with the AwsSolutions pack (and CDK's CloudFormation validation, unless a
 * test that only checks the pack turns it off) and returns the validation report. Any
 * unacknowledged finding, error or warning, makes synth throw with the report in the message.
 */
function synthesizeWithNag(stage: StageConfig, configure?: (stack: WsNotifyStack) => void, cloudFormationValidation = true): ValidationReport {
  const outdir = mkdtempSync(path.join(tmpdir(), 'ws-notify-nag-'));
  try {
    const { app } = buildInProcessApp({ stage, outdir, configure, cloudFormationValidation });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    return JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('cdk-nag AwsSolutions', () => {
  useTemporaryKeys();

  const cases: [string, StageConfig][] = [
    ...SHIPPED_STAGES.map((name): [string, StageConfig] => [name, getStage(name)]),
    ['local in mode action', withOverrides(getStage('local'), { authMode: 'action' })],
  ];

  it.each(cases)('reports no unacknowledged finding, error or warning, for stage %s', (_label, stage) => {
    // Act
    const report = synthesizeWithNag(stage);

    // Assess
    const findings = report.pluginReports.flatMap((plugin) => plugin.violations.map((v) => `${plugin.pluginName}: ${v.ruleName} (${v.severity ?? '?'})`));
    expect(findings).toEqual([]);
  });

  it('fails synthesis on a warning-level finding too', () => {
    // Act & Assess
    expect(() =>
      synthesizeWithNag(getStage('dev'), (stack) => {
        new Table(stack, 'TableWithoutPointInTimeRecovery', { partitionKey: { name: 'id', type: AttributeType.STRING } });
      }, false),
    ).toThrow(/WARNING[\s\S]*TableWithoutPointInTimeRecovery[\s\S]*AwsSolutions-DDB3/);
  });

  it('fails synthesis on an error-level finding (the pack is really running)', () => {
    // Act & Assess
    expect(() =>
      synthesizeWithNag(getStage('dev'), (stack) => {
        new Queue(stack, 'QueueWithoutDeadLetterQueue');
      }, false),
    ).toThrow(/AwsSolutions-SQS3[\s\S]*QueueWithoutDeadLetterQueue|QueueWithoutDeadLetterQueue[\s\S]*AwsSolutions-SQS3/);
  });
});
