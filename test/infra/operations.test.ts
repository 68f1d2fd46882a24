/**
 * The operational guard rails of the synthesized stage stacks (docs/operations.md): concurrency
 * per stage, the alarms (each with the alarm topic as its action, with the thresholds the docs
 * justify), the dashboard and the metrics namespace.
 */
import { ALARM_SETTINGS } from '../../infra/constructs/service-alarms';
import { HANDSHAKE_REFUSAL_REASONS, METRIC_NAMES } from '../../src/commons/metric-names';
import { logicalIdsOfType, render, SHIPPED_STAGES, synthesizeStage, type CfnJson } from './helpers/stack-template';
import { useTemporaryKeys } from './helpers/temporary-keys';

type Props = Record<string, unknown>;

const FUNCTIONS = ['Authorizer', 'Connect', 'Disconnect', 'Authorize', 'Ping', 'Resume', 'Default', 'AuthorizeDeadline', 'NotifyUser', 'NotifyConnection'];

function alarms(json: CfnJson): Props[] {
  return logicalIdsOfType(json, 'AWS::CloudWatch::Alarm').map((id) => json.Resources[id]!.Properties!);
}

/** The alarms on one metric (namespace and name). */
function alarmsOn(json: CfnJson, namespace: string, metricName: string): Props[] {
  return alarms(json).filter((alarm) => alarm.Namespace === namespace && alarm.MetricName === metricName);
}

function dimension(alarm: Props, name: string): string | undefined {
  const found = (alarm.Dimensions as { Name: string; Value: unknown }[] | undefined)?.find((candidate) => candidate.Name === name);
  return found === undefined ? undefined : render(found.Value);
}

/** Each event source mapping's ScalingConfig, by the name of its function. */
function scalingByFunction(json: CfnJson): Record<string, unknown> {
  return Object.fromEntries(
    logicalIdsOfType(json, 'AWS::Lambda::EventSourceMapping').map((id) => {
      const props = json.Resources[id]!.Properties!;
      return [render(props.FunctionName).slice(1, -1), props.ScalingConfig];
    }),
  );
}

/** The dashboard's body with its tokens rendered (`<WebSocketApi>`, `<AWS::Region>`), parsed. */
function dashboardBody(json: CfnJson): { widgets: { type: string; properties: Props }[] } {
  const [id, ...others] = logicalIdsOfType(json, 'AWS::CloudWatch::Dashboard');
  expect(others).toEqual([]);
  return JSON.parse(render(json.Resources[id!]!.Properties!.DashboardBody)) as { widgets: { type: string; properties: Props }[] };
}

describe('Operations: the synthesized stage stacks', () => {
  useTemporaryKeys();

  describe('stage prod', () => {
    let json: CfnJson;
    let topic: string;
    beforeAll(() => {
      ({ json } = synthesizeStage('prod'));
      const topics = logicalIdsOfType(json, 'AWS::SNS::Topic');
      expect(topics).toHaveLength(1);
      topic = topics[0]!;
    });

    it('caps the notification consumers: MaximumConcurrency 10 on NotifyUser, 20 on NotifyConnection, none on AuthorizeDeadline', () => {
      // Assess
      expect(scalingByFunction(json)).toEqual({ NotifyUser: { MaximumConcurrency: 10 }, NotifyConnection: { MaximumConcurrency: 20 }, AuthorizeDeadline: undefined });
    });

    it('reserves 100 concurrent executions for the Authorizer and for $connect, and for no other function', () => {
      // Assess
      const reserved = Object.fromEntries(FUNCTIONS.map((name) => [name, json.Resources[name]!.Properties!.ReservedConcurrentExecutions]));
      expect(reserved).toEqual({ ...Object.fromEntries(FUNCTIONS.map((name) => [name, undefined])), Authorizer: 100, Connect: 100 });
    });

    it('gives every alarm the alarm topic as its action, on alarm and back to OK, and a description', () => {
      // Assess
      const all = alarms(json);
      expect(all).toHaveLength(3 + 2 * FUNCTIONS.length + 2 + 2);
      for (const alarm of all) {
        expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
        expect(alarm.OKActions).toEqual([{ Ref: topic }]);
        expect(alarm.AlarmDescription).toEqual(expect.stringMatching(/^ws-notify prod: /));
      }
    });

    it.each([
      ['Errors', ALARM_SETTINGS.functionErrors],
      ['Throttles', ALARM_SETTINGS.functionThrottles],
    ] as const)('alarms on %s of every function: Sum per minute ≥ 1 in 3 of 5 minutes, missing data not breaching', (metricName, settings) => {
      // Assess
      const found = alarmsOn(json, 'AWS/Lambda', metricName);
      expect(found.map((alarm) => dimension(alarm, 'FunctionName')).sort()).toEqual(FUNCTIONS.map((name) => `<${name}>`).sort());
      for (const alarm of found) {
        expect(alarm).toMatchObject({
          Statistic: 'Sum',
          Period: 60,
          Threshold: settings.threshold,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          EvaluationPeriods: 5,
          DatapointsToAlarm: 3,
          TreatMissingData: 'notBreaching',
        });
      }
    });

    it('alarms when the oldest message of NotifyUser or NotifyConnection has waited over 300 s for 3 minutes', () => {
      // Assess
      const found = alarmsOn(json, 'AWS/SQS', 'ApproximateAgeOfOldestMessage');
      expect(found.map((alarm) => dimension(alarm, 'QueueName')).sort()).toEqual(['<NotifyConnectionQueue.QueueName>', '<NotifyUserQueue.QueueName>']);
      for (const alarm of found) {
        expect(alarm).toMatchObject({
          Statistic: 'Maximum',
          Period: 60,
          Threshold: 300,
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 3,
          DatapointsToAlarm: 3,
          TreatMissingData: 'notBreaching',
        });
      }
      // One retried message is invisible for the visibility timeout: the threshold stays above it.
      for (const queue of ['NotifyUserQueue', 'NotifyConnectionQueue']) {
        expect(json.Resources[queue]!.Properties!.VisibilityTimeout as number).toBeLessThan(300);
      }
    });

    it('alarms as soon as a DLQ holds a message', () => {
      // Assess
      const found = alarmsOn(json, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible');
      expect(found.map((alarm) => dimension(alarm, 'QueueName')).sort()).toEqual(
        ['<AuthorizeDeadlineDeadLetterQueue.QueueName>', '<NotifyConnectionDeadLetterQueue.QueueName>', '<NotifyUserDeadLetterQueue.QueueName>'],
      );
      for (const alarm of found) {
        expect(alarm).toMatchObject({ Statistic: 'Maximum', Period: 60, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
      }
    });

    it("alarms on the stage's execution errors (AWS/ApiGateway ExecutionError, dimensions ApiId and Stage)", () => {
      // Assess
      const [alarm, ...others] = alarmsOn(json, 'AWS/ApiGateway', 'ExecutionError');
      expect(others).toEqual([]);
      expect(alarm!.Dimensions).toEqual([
        { Name: 'ApiId', Value: { Ref: 'WebSocketApi' } },
        { Name: 'Stage', Value: 'prod' },
      ]);
      expect(alarm).toMatchObject({ Statistic: 'Sum', Period: 60, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' });
    });

    it('alarms when integration errors exceed 5 per 100 handshakes for 5 minutes, in minutes with 10 handshakes or more', () => {
      // Prepare
      const [alarm, ...others] = alarms(json).filter((candidate) => Array.isArray(candidate.Metrics));
      expect(others).toEqual([]);
      const metrics = alarm!.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: Props; Period: number; Stat: string }; ReturnData?: boolean }[];

      // Assess
      expect(metrics.find((metric) => metric.Expression !== undefined)?.Expression).toBe('IF(handshakes >= 10, 100 * errors / handshakes, 0)');
      const stats = Object.fromEntries(metrics.filter((metric) => metric.MetricStat !== undefined).map((metric) => [metric.Id, metric.MetricStat!]));
      for (const [id, metricName] of [['errors', 'IntegrationError'], ['handshakes', 'ConnectCount']] as const) {
        expect(stats[id]).toEqual({
          Metric: { Namespace: 'AWS/ApiGateway', MetricName: metricName, Dimensions: [{ Name: 'ApiId', Value: { Ref: 'WebSocketApi' } }, { Name: 'Stage', Value: 'prod' }] },
          Period: 60,
          Stat: 'Sum',
        });
      }
      expect(alarm).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 5, TreatMissingData: 'notBreaching' });
    });

    it('has one dashboard, ws-notify-prod-<region>, with the alarms and the graphs of docs/operations.md', () => {
      // Prepare
      const [id] = logicalIdsOfType(json, 'AWS::CloudWatch::Dashboard');
      const { widgets } = dashboardBody(json);
      const titles = widgets.map((widget) => widget.properties.title).filter((title) => title !== undefined);

      // Assess
      expect(render(json.Resources[id!]!.Properties!.DashboardName)).toBe('ws-notify-prod-<AWS::Region>');
      expect(titles).toEqual([
        'Alarms',
        'Connections opened and closed (per minute)',
        'Handshakes by outcome (per minute)',
        'API: handshakes, messages, errors (per minute)',
        'Notifications (per minute)',
        'Delivery latency, send to post',
        'Age of the oldest notification',
        'Notifications queued (visible, in flight)',
        'Dead-letter queues (messages)',
        'Function errors (per minute)',
        'Function throttles (per minute)',
        'Function duration p99',
      ]);
      const alarmWidget = widgets.find((widget) => widget.type === 'alarm');
      expect((alarmWidget?.properties.alarms as unknown[]).length).toBe(alarms(json).length);
    });

    it('graphs every metric of the service in namespace WsNotify with service ws-notify and stage prod, and the latency p50 and p99', () => {
      // Prepare: every metric line of every graph, as [namespace, name, …dimension pairs, options].
      const lines = dashboardBody(json).widgets.flatMap((widget) => (widget.properties.metrics as unknown[][] | undefined) ?? []);
      const service = lines.filter((line) => line[0] === 'WsNotify');

      const dimensions = (line: unknown[]): Record<string, unknown> => {
        const pairs = line.slice(2).filter((item): item is string => typeof item === 'string');
        return Object.fromEntries(Array.from({ length: pairs.length / 2 }, (_, index): [string, string | undefined] => [pairs[2 * index] ?? '', pairs[2 * index + 1]]));
      };

      // Assess
      expect(new Set(service.map((line) => line[1]))).toEqual(new Set(Object.values(METRIC_NAMES)));
      for (const line of service) expect(dimensions(line)).toMatchObject({ service: 'ws-notify', stage: 'prod' });
      const refusals = service.filter((line) => line[1] === 'HandshakesRefused').map((line) => dimensions(line));
      expect(refusals).toEqual(HANDSHAKE_REFUSAL_REASONS.map((reason) => ({ service: 'ws-notify', stage: 'prod', reason })));
      const latency = service.filter((line) => line[1] === 'DeliveryLatency').map((line) => (line.at(-1) as { stat: string }).stat);
      expect(latency).toEqual(['p50', 'p99']);
    });

    it('gives every function the metrics namespace WsNotify', () => {
      // Assess
      for (const name of FUNCTIONS) {
        expect((json.Resources[name]!.Properties!.Environment as { Variables: Props }).Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('WsNotify');
      }
    });
  });

  describe.each(SHIPPED_STAGES.filter((name) => name !== 'prod'))('stage %s', (stageName) => {
    let json: CfnJson;
    beforeAll(() => {
      ({ json } = synthesizeStage(stageName));
    });

    it("reserves no concurrency (a new account may have none to reserve); caps the consumers as prod does in dev, not locally", () => {
      // Assess
      const capped = { NotifyUser: { MaximumConcurrency: 10 }, NotifyConnection: { MaximumConcurrency: 20 }, AuthorizeDeadline: undefined };
      const uncapped = { NotifyUser: undefined, NotifyConnection: undefined, AuthorizeDeadline: undefined };
      expect(scalingByFunction(json)).toEqual(stageName === 'dev' ? capped : uncapped);
      for (const id of logicalIdsOfType(json, 'AWS::Lambda::Function')) expect(json.Resources[id]!.Properties!.ReservedConcurrentExecutions).toBeUndefined();
    });

    it('has the same alarms, each with the alarm topic as its action, and one dashboard', () => {
      // Assess
      const [topic, ...others] = logicalIdsOfType(json, 'AWS::SNS::Topic');
      expect(others).toEqual([]);
      const functions = logicalIdsOfType(json, 'AWS::Lambda::Function').length;
      expect(alarms(json)).toHaveLength(3 + 2 * functions + 2 + 2);
      for (const alarm of alarms(json)) expect(alarm.AlarmActions).toEqual([{ Ref: topic }]);
      expect(logicalIdsOfType(json, 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
    });
  });
});
