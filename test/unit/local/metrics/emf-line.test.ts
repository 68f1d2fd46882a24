/**
 * The local reading of the functions' EMF lines, on lines made by the functions' own Powertools
 * Metrics configuration (createFunctionMetrics and the recording helpers).
 */
import { addCount, addDeliveryLatency, addHandshakeRefused, createFunctionMetrics, type Metrics } from '../../../../src/commons/metrics';
import { parseEmfLine } from '../../../../src/local/metrics/emf-line';

const ENV = { POWERTOOLS_METRICS_NAMESPACE: 'WsNotify', POWERTOOLS_SERVICE_NAME: 'ws-notify', STAGE: 'local' };

/** The line lambdaEntry would print for what `record` stores. */
function emfLine(record: (metrics: Metrics) => void): string {
  const metrics = createFunctionMetrics(ENV);
  record(metrics);
  return JSON.stringify(metrics.serializeMetrics());
}

describe('Function: parseEmfLine', () => {
  it('reads every metric of a Powertools line with its unit, its dimensions and every value', () => {
    // Prepare
    const line = emfLine((metrics) => {
      addCount(metrics, 'NotificationsDelivered');
      addCount(metrics, 'NotificationsDelivered');
      addCount(metrics, 'NotificationsGone');
      addDeliveryLatency(metrics, 12);
      addDeliveryLatency(metrics, 30);
    });

    // Act
    const found = parseEmfLine(line);

    // Assess
    const dimensions = { service: 'ws-notify', stage: 'local' };
    expect(found).toEqual(
      expect.arrayContaining([
        { namespace: 'WsNotify', name: 'NotificationsDelivered', unit: 'Count', dimensions, values: [1, 1] },
        { namespace: 'WsNotify', name: 'NotificationsGone', unit: 'Count', dimensions, values: [1] },
        { namespace: 'WsNotify', name: 'DeliveryLatency', unit: 'Milliseconds', dimensions, values: [12, 30] },
      ]),
    );
    expect(found).toHaveLength(3);
  });

  it('reads the reason dimension of a refused handshake', () => {
    // Act
    const found = parseEmfLine(emfLine((metrics) => addHandshakeRefused(metrics, 'too_many_connections')));

    // Assess
    expect(found).toEqual([
      { namespace: 'WsNotify', name: 'HandshakesRefused', unit: 'Count', dimensions: { service: 'ws-notify', stage: 'local', reason: 'too_many_connections' }, values: [1] },
    ]);
  });

  it.each([
    ['a plain log line', 'START RequestId: 1 Version: $LATEST'],
    ['a JSON log line without _aws', JSON.stringify({ level: 'INFO', message: 'Notification refused', _awsX: 1 })],
    ['a line that mentions "_aws" but is not JSON', '{"_aws": oops'],
    ['an _aws member without CloudWatchMetrics', JSON.stringify({ _aws: { Timestamp: 1 } })],
    ['a metric whose value is missing or not a number', JSON.stringify({ _aws: { CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [[]], Metrics: [{ Name: 'A' }, { Name: 'B' }] }] }, B: 'one' })],
  ])('finds no metric in %s', (_case, line) => {
    // Act & Assess
    expect(parseEmfLine(line)).toEqual([]);
  });

  it('takes a metric without a unit as unit None, and leaves out a dimension whose value is absent', () => {
    // Prepare
    const line = JSON.stringify({ _aws: { CloudWatchMetrics: [{ Namespace: 'App', Dimensions: [['region', 'missing']], Metrics: [{ Name: 'Jobs' }] }] }, region: 'local', Jobs: 4 });

    // Act & Assess
    expect(parseEmfLine(line)).toEqual([{ namespace: 'App', name: 'Jobs', unit: 'None', dimensions: { region: 'local' }, values: [4] }]);
  });
});
