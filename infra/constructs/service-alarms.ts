import { Duration } from 'aws-cdk-lib';
import { type WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, type IAlarmAction, type IMetric, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { MAX_RECEIVE_COUNT, type NotifyQueue } from './notify-queue';

/** Every alarm of the service evaluates one-minute data points. */
export const ALARM_PERIOD = Duration.minutes(1);

/**
 * The alarms' settings, each chosen and justified in docs/operations.md ("Alarms"). `datapoints` of
 * `evaluationPeriods` one-minute data points must breach for the alarm to fire.
 */
export const ALARM_SETTINGS = {
  /** A message in a DLQ, in any minute. */
  deadLetters: { threshold: 0, evaluationPeriods: 1 },
  /** A function error (timeout, crash, out of memory, init failure) in 3 of 5 minutes. */
  functionErrors: { threshold: 1, evaluationPeriods: 5, datapoints: 3 },
  /** A throttled invocation in 3 of 5 minutes. */
  functionThrottles: { threshold: 1, evaluationPeriods: 5, datapoints: 3 },
  /**
   * The oldest notification has waited longer than this for 3 minutes running: at least 5 minutes,
   * and always 2 minutes more than the queue's visibility timeout, so that one retried message
   * (invisible for the visibility timeout) does not page.
   */
  oldestMessage: { minimumSeconds: 300, marginOverVisibilitySeconds: 120, evaluationPeriods: 3, datapoints: 3 },
  /** An API Gateway execution error in 3 of 5 minutes. */
  apiExecutionErrors: { threshold: 1, evaluationPeriods: 5, datapoints: 3 },
  /**
   * Integration errors above 5 per 100 handshakes for 5 minutes running, counted only in minutes
   * with at least 10 handshakes.
   */
  apiIntegrationErrors: { percentOfHandshakes: 5, minimumHandshakes: 10, evaluationPeriods: 5, datapoints: 5 },
} as const;

/** The age of the oldest message at which a queue's alarm fires, seconds. */
export function oldestMessageThresholdSeconds(visibilityTimeout: Duration): number {
  const { minimumSeconds, marginOverVisibilitySeconds } = ALARM_SETTINGS.oldestMessage;
  return Math.max(minimumSeconds, visibilityTimeout.toSeconds() + marginOverVisibilitySeconds);
}

/** What the alarms and the dashboard (ServiceDashboard) watch of the service. */
export interface ObservedService {
  readonly stageName: string;
  /** The service's functions by name (`Connect`, `NotifyUser`, …): errors and throttles. */
  readonly functions: ReadonlyMap<string, IFunction>;
  /** Every work queue: its DLQ's depth. */
  readonly queues: readonly NotifyQueue[];
  /** NotifyUser and NotifyConnection: the age of their oldest message pages; the dashboard graphs it with their depth. */
  readonly notificationQueues: readonly NotifyQueue[];
  /** The WebSocket stage: its integration and execution errors. */
  readonly webSocketStage: WebSocketStage;
}

export interface ServiceAlarmsProps extends ObservedService {
  /** Every alarm's action, on alarm and back to OK (the alarm topic). */
  readonly action: IAlarmAction;
}

/**
 * Every alarm of the service: a message in any DLQ, errors and throttles of every function, the age
 * of the oldest notification in NotifyUser and NotifyConnection, and the stage's execution and
 * integration errors (AWS/ApiGateway, dimensions ApiId and Stage). Each has `action` as its action
 * on alarm and back to OK, treats missing data as not breaching (no traffic, no data point) and
 * says in its description what it means; docs/operations.md says what to do.
 */
export class ServiceAlarms extends Construct {
  /** Every alarm: the DLQs', the functions' errors, then their throttles, the oldest notifications', the API's. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const stage = props.stageName;
    // Every alarm: `datapoints` of `evaluationPeriods` one-minute points at or over the threshold
    // (over it, for the queues and the integration errors); no data (no traffic) does not breach; the
    // action (the alarm topic) on alarm and back to OK.
    const alarm = (
      alarmId: string,
      alarmDescription: string,
      metric: IMetric,
      settings: { readonly threshold: number; readonly evaluationPeriods: number; readonly datapoints?: number },
      comparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) => {
      const created = new Alarm(this, alarmId, {
        alarmDescription,
        metric,
        threshold: settings.threshold,
        comparisonOperator,
        evaluationPeriods: settings.evaluationPeriods,
        datapointsToAlarm: settings.datapoints,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(props.action);
      created.addOkAction(props.action);
      return created;
    };

    const d = ALARM_SETTINGS.deadLetters;
    const deadLetters = props.queues.map((queue) => {
      const description = `ws-notify ${stage}: messages in the ${queue.deadLetterQueueName} queue (failed ${MAX_RECEIVE_COUNT} times or refused by the ${queue.queueName} consumer)`;
      const metric = queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' });
      return alarm(`${queue.queueName}DeadLetters`, description, metric, d, ComparisonOperator.GREATER_THAN_THRESHOLD);
    });

    const { functionErrors: e, functionThrottles: t } = ALARM_SETTINGS;
    const errors: Alarm[] = [];
    const throttles: Alarm[] = [];
    for (const [name, fn] of props.functions) {
      const failed = `ws-notify ${stage}: the ${name} function failed (timeout, crash or unhandled error) in ${e.datapoints} of the last ${e.evaluationPeriods} minutes`;
      errors.push(alarm(`${name}Errors`, failed, fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }), e));
      const throttled = `ws-notify ${stage}: invocations of the ${name} function were throttled in ${t.datapoints} of the last ${t.evaluationPeriods} minutes`;
      throttles.push(alarm(`${name}Throttles`, throttled, fn.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum' }), t));
    }

    const o = ALARM_SETTINGS.oldestMessage;
    const oldest = props.notificationQueues.map((queue) => {
      const threshold = oldestMessageThresholdSeconds(queue.visibilityTimeout);
      const description = `ws-notify ${stage}: the oldest message in ${queue.queueName} has waited over ${threshold} s for ${o.datapoints} minutes (consumers stuck, failing or behind)`;
      const metric = queue.queue.metricApproximateAgeOfOldestMessage({ period: ALARM_PERIOD, statistic: 'Maximum' });
      return alarm(`${queue.queueName}OldestMessage`, description, metric, { ...o, threshold }, ComparisonOperator.GREATER_THAN_THRESHOLD);
    });

    const x = ALARM_SETTINGS.apiExecutionErrors;
    const apiExecutionErrors = alarm(
      'ApiExecutionErrors',
      `ws-notify ${stage}: API Gateway could not call an integration (ExecutionError) in ${x.datapoints} of the last ${x.evaluationPeriods} minutes`,
      props.webSocketStage.metric('ExecutionError', { period: ALARM_PERIOD, statistic: 'Sum' }),
      x,
    );

    const i = ALARM_SETTINGS.apiIntegrationErrors;
    const apiIntegrationErrors = alarm(
      'ApiIntegrationErrors',
      `ws-notify ${stage}: integrations answered errors (IntegrationError: 4XX/5XX, e.g. refused or failed handshakes) ` +
        `for more than ${i.percentOfHandshakes} per 100 handshakes, ${i.datapoints} minutes running`,
      new MathExpression({
        expression: `IF(handshakes >= ${i.minimumHandshakes}, 100 * errors / handshakes, 0)`,
        usingMetrics: {
          errors: props.webSocketStage.metric('IntegrationError', { period: ALARM_PERIOD, statistic: 'Sum' }),
          handshakes: props.webSocketStage.metric('ConnectCount', { period: ALARM_PERIOD, statistic: 'Sum' }),
        },
        period: ALARM_PERIOD,
        label: 'Integration errors per 100 handshakes',
      }),
      { ...i, threshold: i.percentOfHandshakes },
      ComparisonOperator.GREATER_THAN_THRESHOLD,
    );

    this.alarms = [...deadLetters, ...errors, ...throttles, ...oldest, apiExecutionErrors, apiIntegrationErrors];
  }
}
