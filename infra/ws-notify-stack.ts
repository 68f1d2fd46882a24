import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type Construct } from 'constructs';
import { requireStagePublicJwk } from '../src/tooling/stage-keys';
import { type AwsSdkSource } from './function-code';
import { OUTPUT_NAMES, queueUrlOutputName } from './stack-outputs';
import { inboxRetentionSecondsOf, maxConnectionsPerUserOf, maxTokenLifetimeSecondsOf, type StageConfig } from './stages';
import { WsNotify, type WsNotifyProps } from './ws-notify';

/** The stack of a stage: `WsNotify-<stage>`. */
export function stackNameOf(stageName: string): string {
  return `WsNotify-${stageName}`;
}

/** The dashboard of a stage's stack: `ws-notify-<stage>-<region>` (dashboard names are unique in an account, across regions). */
export function dashboardNameOf(stageName: string): string {
  return `ws-notify-${stageName}-${Aws.REGION}`;
}

/** The construct's props of a declared stage. A generated-key stage without its key fails with MissingStageKeyError. */
export function wsNotifyPropsOf(stage: StageConfig): WsNotifyProps {
  const { keySource, ...jwt } = stage.jwt;
  return {
    stageName: stage.name,
    authMode: stage.authMode,
    jwt: { ...jwt, key: keySource.kind === 'jwks' ? { jwksUrl: keySource.jwksUrl } : { publicJwk: requireStagePublicJwk(stage.name) } },
    authorizeDeadline: Duration.seconds(stage.authorizeDeadlineSeconds),
    allowedOrigins: stage.allowedOrigins,
    maxTokenLifetime: Duration.seconds(maxTokenLifetimeSecondsOf(stage)),
    maxConnectionsPerUser: maxConnectionsPerUserOf(stage),
    inboxRetention: Duration.seconds(inboxRetentionSecondsOf(stage)),
    throttling: stage.throttling,
    logLevel: stage.logLevel,
    retainData: stage.retainData,
    concurrency: stage.concurrency,
    alarmSubscriptions: stage.alarmEmail === undefined ? undefined : [new EmailSubscription(stage.alarmEmail)],
    dashboardName: dashboardNameOf(stage.name),
  };
}

export interface WsNotifyStackProps extends StackProps {
  readonly stage: StageConfig;
  /** Bundle the AWS SDK v3 clients into each function, or use the Lambda runtime's copy. */
  readonly awsSdk?: AwsSdkSource;
}

/**
 * The project's stack of a stage: the WsNotify construct with the stage's settings, and outputs
 * for `npm run deploy` (infra/stack-outputs.ts): the WebSocket and callback URLs, every queue's
 * URL, the table name and the auth mode. `service.addRoute` adds a route; the local runtime reads
 * everything from the synthesized template.
 */
export class WsNotifyStack extends Stack {
  readonly stage: StageConfig;
  readonly service: WsNotify;

  constructor(scope: Construct, id: string, props: WsNotifyStackProps) {
    super(scope, id, { description: `ws-notify, stage ${props.stage.name} (auth mode ${props.stage.authMode})`, ...props });
    this.stage = props.stage;
    this.service = new WsNotify(this, 'WsNotify', { ...wsNotifyPropsOf(props.stage), awsSdk: props.awsSdk });

    new CfnOutput(this, OUTPUT_NAMES.websocketUrl, { value: this.service.webSocketUrl, description: 'Clients connect here (wss://…/<stage>)' });
    new CfnOutput(this, OUTPUT_NAMES.callbackUrl, { value: this.service.callbackUrl, description: 'Management API (@connections) endpoint' });
    new CfnOutput(this, OUTPUT_NAMES.tableName, { value: this.service.table.tableName, description: 'Connections table' });
    new CfnOutput(this, OUTPUT_NAMES.authMode, { value: props.stage.authMode, description: 'How connections authenticate (authorizer or action)' });
    for (const queue of this.service.queues) {
      for (const [name, { queueUrl }] of [[queue.queueName, queue.queue], [queue.deadLetterQueueName, queue.deadLetterQueue]] as const) {
        new CfnOutput(this, queueUrlOutputName(name), { value: queueUrl, description: `${name} queue URL` });
      }
    }
  }
}
