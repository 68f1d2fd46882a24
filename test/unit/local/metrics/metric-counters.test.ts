/** The totals the local console shows, added up from parsed EMF metrics. */
import { HANDSHAKE_REFUSAL_REASONS, METRIC_NAMES } from '../../../../src/commons/metric-names';
import type { EmfMetric } from '../../../../src/local/metrics/emf-line';
import { MetricCounters, TIMING_WINDOW } from '../../../../src/local/metrics/metric-counters';

const SERVICE = { service: 'ws-notify', stage: 'local' };

function metric(name: string, values: number[], unit = 'Count', dimensions: Record<string, string> = SERVICE): EmfMetric {
  return { namespace: 'WsNotify', name, unit, dimensions, values };
}

describe('Class: MetricCounters', () => {
  it("starts with every counter of the service at 0, HandshakesRefused once per reason, and DeliveryLatency with no value", () => {
    // Act
    const { counters, timings } = new MetricCounters().snapshot();

    // Assess
    const counted = Object.values(METRIC_NAMES).filter((name) => name !== 'DeliveryLatency' && name !== 'HandshakesRefused');
    expect(counters).toEqual([
      ...counted.slice(0, 2).map((name) => ({ name, dimensions: {}, total: 0 })),
      ...HANDSHAKE_REFUSAL_REASONS.map((reason) => ({ name: 'HandshakesRefused', dimensions: { reason }, total: 0 })),
      ...counted.slice(2).map((name) => ({ name, dimensions: {}, total: 0 })),
    ]);
    expect(timings).toEqual([{ name: 'DeliveryLatency', count: 0, p50: 0, p99: 0, max: 0 }]);
  });

  it('adds up every value of a counter, by its own dimensions, leaving out service and stage', () => {
    // Prepare
    const counters = new MetricCounters();

    // Act
    const added = counters.add([metric('NotificationsDelivered', [1, 1, 1]), metric('HandshakesRefused', [1], 'Count', { ...SERVICE, reason: 'unauthorized' })]);
    counters.add([metric('NotificationsDelivered', [2]), metric('HandshakesRefused', [1], 'Count', { ...SERVICE, reason: 'unauthorized' })]);
    counters.add([metric('Jobs', [4], 'Count', { queue: 'reports' })]);

    // Assess
    expect(added).toBe(true);
    const total = (name: string, dimensions: Record<string, string> = {}) =>
      counters.snapshot().counters.find((counter) => counter.name === name && JSON.stringify(counter.dimensions) === JSON.stringify(dimensions))?.total;
    expect(total('NotificationsDelivered')).toBe(5);
    expect(total('HandshakesRefused', { reason: 'unauthorized' })).toBe(2);
    expect(total('HandshakesRefused', { reason: 'error' })).toBe(0);
    expect(total('Jobs', { queue: 'reports' })).toBe(4);
  });

  it('gives p50, p99 and max of a timing over its last values, and counts all of them', () => {
    // Prepare
    const counters = new MetricCounters();

    // Act: 1..100 ms, then the window's worth of 5 ms pushes them out.
    counters.add([metric('DeliveryLatency', Array.from({ length: 100 }, (_, i) => 100 - i), 'Milliseconds')]);
    const first = counters.snapshot().timings[0];
    counters.add([metric('DeliveryLatency', Array.from({ length: TIMING_WINDOW }, () => 5), 'Milliseconds')]);
    const later = counters.snapshot().timings[0];

    // Assess
    expect(first).toEqual({ name: 'DeliveryLatency', count: 100, p50: 50, p99: 99, max: 100 });
    expect(later).toEqual({ name: 'DeliveryLatency', count: 100 + TIMING_WINDOW, p50: 5, p99: 5, max: 5 });
  });

  it('reports that nothing was added for a line without metrics', () => {
    // Act & Assess
    expect(new MetricCounters().add([])).toBe(false);
  });
});
