/**
 * Every cdk-nag (AwsSolutions) finding the construct acknowledges, with its reason, in one place.
 * Each is applied to the one construct it concerns, and IAM5 only to the exact resource of the
 * finding, so a new finding elsewhere still fails the cdk-nag test. Acknowledgements are
 * Validations of aws-cdk-lib: they cost nothing in a stack that runs no cdk-nag.
 */
import { Validations } from 'aws-cdk-lib';
import { type IConstruct } from 'constructs';

/** AwsSolutions-APIG4 on a WebSocket route that has no authorizer. */
export function acknowledgeRouteWithoutAuthorizer(route: IConstruct, routeKey: string): void {
  const reason =
    routeKey === '$connect'
      ? 'Auth mode "action": clients connect without a token by design and the record is written as pending; ' +
        'a pending connection can only send authorize (JWT verified) and is disconnected at the authorize deadline.'
      : 'API Gateway WebSocket APIs run an authorizer on $connect only; no other route can have one. ' +
        'Every message handler reads the connection record before acting and answers unauthorized/token_expired ' +
        'unless the connection is authorized and unexpired.';
  Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
}

/** AwsSolutions-APIG4 on the keep-alive route (MOCK integration). */
export function acknowledgeKeepAliveRoute(route: IConstruct): void {
  const reason =
    'The keep-alive route has a MOCK integration: API Gateway answers it with a constant pong frame and invokes ' +
    'nothing, reads and writes nothing; a message to it only resets the idle timer of a connection that is already open.';
  Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
}

/** AwsSolutions-SNS2 (no server-side encryption) on the alarm topic the construct creates. */
export function acknowledgeAlarmTopicEncryption(topic: IConstruct): void {
  const reason =
    'The topic carries CloudWatch alarm notifications only (alarm name, state, metric), no user data. CloudWatch cannot publish ' +
    'to a topic encrypted with the AWS managed key (alias/aws/sns), and with a customer managed key whose policy does not ' +
    'allow cloudwatch.amazonaws.com it drops the notifications silently. A topic of your own, encrypted as you choose, ' +
    'can be given as the alarmTopic prop.';
  Validations.of(topic).acknowledge({ id: 'AwsSolutions-SNS2', reason });
}

/** AwsSolutions-IAM5 for the resource `<stage>/<METHOD>/@connections/*` of the API of that logical id. */
export function acknowledgeConnectionsWildcard(policyScope: IConstruct, apiLogicalId: string, resourceName: string): void {
  const reason =
    'Connection ids are made by API Gateway at run time, so @connections/{id} cannot be listed; the wildcard is ' +
    'limited to this API, this stage and this one HTTP method.';
  // The resource as cdk-nag renders it in the finding's id.
  const rendered = `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${resourceName}`;
  Validations.of(policyScope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
}
