import { Aws, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type Construct } from 'constructs';
import { requireStagePublicJwk } from '../src/tooling/stage-keys';
import { OUTPUT_NAMES, queueUrlOutputName } from './stack-outputs';
import { stackNameOf, type StageConfig } from './stages';
import { WsNotify, type WsNotifyProps } from './ws-notify';

/**
 * The construct's props of a declared stage; a setting the stage leaves out keeps the construct's
 * default. A generated-key stage without its key fails with MissingStageKeyError.
 */
export function wsNotifyPropsOf(stage: StageConfig): WsNotifyProps {
  const { keySource, ...jwt } = stage.jwt;
  const seconds = (value: number | undefined) => (value === undefined ? undefined : Duration.seconds(value));
  return {
    stageName: stage.name,
    authMode: stage.authMode,
    jwt: { ...jwt, key: keySource.kind === 'jwks' ? { jwksUrl: keySource.jwksUrl } : { publicJwk: requireStagePublicJwk(stage.name) } },
    authorizeDeadline: seconds(stage.authorizeDeadlineSeconds),
    allowedOrigins: stage.allowedOrigins,
    maxTokenLifetime: seconds(stage.maxTokenLifetimeSeconds),
    maxConnectionsPerUser: stage.maxConnectionsPerUser,
    inboxRetention: seconds(stage.inboxRetentionSeconds),
    throttling: stage.throttling,
    logLevel: stage.logLevel,
    retainData: stage.retainData,
    concurrency: stage.concurrency,
    alarmSubscriptions: stage.alarmEmail === undefined ? undefined : [new EmailSubscription(stage.alarmEmail)],
    // Dashboard names are unique in an account, across regions: `ws-notify-<stage>-<region>`.
    dashboardName: `ws-notify-${stage.name}-${Aws.REGION}`,
  };
}

export interface WsNotifyStackProps extends Pick<WsNotifyProps, 'awsSdk'> {
  readonly stage: StageConfig;
}

/**
 * The project's stack of a stage, `WsNotify-<stage>` in the stage's `env`: the WsNotify construct
 * with the stage's settings, and outputs for `npm run deploy` (infra/stack-outputs.ts): the
 * WebSocket and callback URLs, every queue's URL, the table name and the auth mode.
 * `service.addRoute` adds a route; the local runtime reads everything from the synthesized template.
 */
export class WsNotifyStack extends Stack {
  readonly stage: StageConfig;
  readonly service: WsNotify;

  constructor(scope: Construct, { stage, awsSdk }: WsNotifyStackProps) {
    super(scope, stackNameOf(stage.name), { description: `ws-notify, stage ${stage.name} (auth mode ${stage.authMode})`, env: stage.env });
    this.stage = stage;
    this.service = new WsNotify(this, 'WsNotify', { ...wsNotifyPropsOf(stage), awsSdk });

    new CfnOutput(this, OUTPUT_NAMES.websocketUrl, { value: this.service.webSocketUrl, description: 'Clients connect here (wss://…/<stage>)' });
    new CfnOutput(this, OUTPUT_NAMES.callbackUrl, { value: this.service.callbackUrl, description: 'Management API (@connections) endpoint' });
    new CfnOutput(this, OUTPUT_NAMES.tableName, { value: this.service.table.tableName, description: 'Connections table' });
    new CfnOutput(this, OUTPUT_NAMES.authMode, { value: stage.authMode, description: 'How connections authenticate (authorizer or action)' });
    for (const queue of this.service.queues) {
      for (const [name, { queueUrl }] of [[queue.queueName, queue.queue], [queue.deadLetterQueueName, queue.deadLetterQueue]] as const) {
        new CfnOutput(this, queueUrlOutputName(name), { value: queueUrl, description: `${name} queue URL` });
      }
    }
  }
}
