/**
 * An application that makes reports, with a CDK app of its own, adds ws-notify to tell the user's
 * browser, in real time, that a report is ready to download.
 *
 * Its report workers already put `{ "userId", "reportId" }` on the ReportsReady queue. One Lambda
 * function of its own, ReportReady, consumes that queue and publishes a notification to the user
 * through ws-notify's NotifyUser queue; ws-notify delivers it on every connection of that user.
 */
import path from 'node:path';
import { App, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { type Construct } from 'constructs';
import { WsNotify } from 'ws-notify/cdk';

export class ReportsStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // The application's own queue: a message per finished report.
    const reportsReady = new Queue(this, 'ReportsReady', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(60),
      deadLetterQueue: {
        queue: new Queue(this, 'ReportsReadyDeadLetter', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) }),
        maxReceiveCount: 5,
      },
    });

    // ws-notify, with the settings of this stage. Its users sign in with the app's identity
    // provider, whose tokens the browser passes as ?token= on the WebSocket URL.
    const notify = new WsNotify(this, 'Notifications', {
      stageName: 'prod',
      authMode: 'authorizer',
      jwt: {
        issuer: 'https://id.example.com/',
        audience: 'reports',
        algorithms: ['RS256'],
        key: { jwksUrl: 'https://id.example.com/.well-known/jwks.json' },
      },
      allowedOrigins: ['https://reports.example.com'],
      throttling: { rateLimit: 500, burstLimit: 1000 },
    });

    // The app's function: told that a report is ready, it notifies the report's owner.
    const reportReady = new NodejsFunction(this, 'ReportReady', {
      entry: path.join(__dirname, 'functions', 'report-ready.ts'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(10),
      environment: { NOTIFY_USER_QUEUE_URL: notify.notifyUserQueue.queueUrl },
      bundling: { minify: true, sourceMap: true },
    });
    reportReady.addEventSource(new SqsEventSource(reportsReady, { batchSize: 10, reportBatchItemFailures: true }));
    // Send rights on NotifyUser, and nothing else of ws-notify.
    notify.grantNotify(reportReady, { connections: false });

    new CfnOutput(this, 'WebSocketUrl', { value: notify.webSocketUrl, description: 'The browser connects here' });
    new CfnOutput(this, 'ReportsReadyQueueUrl', { value: reportsReady.queueUrl, description: 'The report workers send here' });
  }
}

const app = new App();
new ReportsStack(app, 'ExistingApp');
