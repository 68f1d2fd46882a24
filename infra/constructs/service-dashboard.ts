import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { type IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  HANDSHAKE_REFUSAL_REASONS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  type MetricName,
  REFUSAL_REASON_DIMENSION,
  SERVICE_DIMENSION,
  SERVICE_NAME,
  STAGE_DIMENSION,
} from '../../src/commons/metric-names';
import { ALARM_PERIOD, type ObservedService } from './service-alarms';

const WIDTH = 24;
const HEIGHT = 6;

export interface ServiceDashboardProps extends ObservedService {
  /** The dashboard's name (unique in the account, across regions). @default one CloudFormation makes unique */
  readonly dashboardName?: string;
  /** Shown at the top, in alarm state order. */
  readonly alarms: readonly IAlarm[];
}

/** A metric of the service (namespace WsNotify, dimensions service and stage, plus `extra`). */
export function serviceMetric(stageName: string, name: MetricName, options: { statistic?: string; label?: string; extra?: Record<string, string> } = {}): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [SERVICE_DIMENSION]: SERVICE_NAME, [STAGE_DIMENSION]: stageName, ...options.extra },
    statistic: options.statistic ?? 'Sum',
    period: ALARM_PERIOD,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
}

/**
 * One CloudWatch dashboard of the stage, read from the top (docs/operations.md, "Dashboard"): the
 * alarms; connections and handshakes; notifications and their delivery latency; the queues; the
 * functions; the API's requests and errors. Every graph has the alarms' one-minute points, so it shows what an alarm saw.
 */
export class ServiceDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const stage = props.stageName;
    const metric = (name: MetricName, label: string, statistic?: string): Metric => serviceMetric(stage, name, { label, ...(statistic === undefined ? {} : { statistic }) });
    const graph = (title: string, left: IMetric[], width: number, options: { right?: IMetric[]; unit?: string } = {}): GraphWidget =>
      new GraphWidget({
        title,
        left,
        ...(options.right === undefined ? {} : { right: options.right }),
        width,
        height: HEIGHT,
        period: ALARM_PERIOD,
        ...(options.unit === undefined ? {} : { leftYAxis: { label: options.unit, showUnits: false, min: 0 } }),
      });
    const perFunction = (make: (fn: IFunction, label: string) => IMetric): IMetric[] => [...props.functions].map(([name, fn]) => make(fn, name));

    this.dashboard = new Dashboard(this, 'Resource', { ...(props.dashboardName === undefined ? {} : { dashboardName: props.dashboardName }), defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `## ws-notify ${stage}\nAlarms first; then connections, notifications, queues, functions and the API. What each graph means and what to do about an alarm: docs/operations.md in the ws-notify package.`,
        width: WIDTH,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: WIDTH, height: 4 }));
    this.dashboard.addWidgets(
      graph('Connections opened and closed (per minute)', [metric(METRIC_NAMES.connectionsOpened, 'opened'), metric(METRIC_NAMES.connectionsClosed, 'closed')], 8),
      graph(
        'Handshakes by outcome (per minute)',
        [
          metric(METRIC_NAMES.connectionsOpened, 'accepted'),
          ...HANDSHAKE_REFUSAL_REASONS.map((reason) =>
            serviceMetric(stage, METRIC_NAMES.handshakesRefused, { label: `refused: ${reason}`, extra: { [REFUSAL_REASON_DIMENSION]: reason } }),
          ),
        ],
        8,
      ),
      graph(
        'API: handshakes, messages, errors (per minute)',
        [props.webSocketStage.metric('ConnectCount', { period: ALARM_PERIOD, statistic: 'Sum', label: 'ConnectCount' }), props.webSocketStage.metric('MessageCount', { period: ALARM_PERIOD, statistic: 'Sum', label: 'MessageCount' })],
        8,
        {
          right: ['IntegrationError', 'ExecutionError', 'ClientError'].map((name) => props.webSocketStage.metric(name, { period: ALARM_PERIOD, statistic: 'Sum', label: name })),
        },
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Notifications (per minute)',
        [
          metric(METRIC_NAMES.notificationsStored, 'stored'),
          metric(METRIC_NAMES.notificationsDelivered, 'delivered'),
          metric(METRIC_NAMES.notificationsGone, 'gone (410)'),
          metric(METRIC_NAMES.notificationsRefused, 'refused'),
          metric(METRIC_NAMES.notificationsReplayed, 'replayed'),
        ],
        12,
      ),
      graph('Delivery latency, send to post', [metric(METRIC_NAMES.deliveryLatency, 'p50', 'p50'), metric(METRIC_NAMES.deliveryLatency, 'p99', 'p99')], 12, { unit: 'ms' }),
    );
    this.dashboard.addWidgets(
      graph(
        'Age of the oldest notification',
        props.notificationQueues.map((queue) => queue.queue.metricApproximateAgeOfOldestMessage({ period: ALARM_PERIOD, statistic: 'Maximum', label: queue.queueName })),
        8,
        { unit: 's' },
      ),
      graph(
        'Notifications queued (visible, in flight)',
        props.notificationQueues.flatMap((queue) => [
          queue.queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum', label: `${queue.queueName} visible` }),
          queue.queue.metricApproximateNumberOfMessagesNotVisible({ period: ALARM_PERIOD, statistic: 'Maximum', label: `${queue.queueName} in flight` }),
        ]),
        8,
      ),
      graph(
        'Dead-letter queues (messages)',
        props.queues.map((queue) => queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum', label: queue.deadLetterQueueName })),
        8,
      ),
    );
    this.dashboard.addWidgets(
      graph('Function errors (per minute)', perFunction((fn, label) => fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum', label })), 8),
      graph('Function throttles (per minute)', perFunction((fn, label) => fn.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum', label })), 8),
      graph('Function duration p99', perFunction((fn, label) => fn.metricDuration({ period: ALARM_PERIOD, statistic: 'p99', label })), 8, { unit: 'ms' }),
    );
  }
}
