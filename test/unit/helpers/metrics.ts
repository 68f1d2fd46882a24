/**
 * A real Powertools Metrics, as the entries create it (namespace WsNotify, service ws-notify, stage
 * `test`), and what it would publish, read with its own serializeMetrics(): handler tests assert
 * the EMF the function would print, not calls on a mock.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../../src/commons/metric-names';

export const TEST_STAGE = 'test';

export function testMetrics(): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, defaultDimensions: { stage: TEST_STAGE } });
}

export interface StoredMetrics {
  readonly namespace: string | undefined;
  /** The dimension sets of the EMF line, e.g. `[['service', 'stage']]`. */
  readonly dimensionSets: readonly (readonly string[])[];
  /** Values of the EMF line's root keys that are dimensions (service, stage, reason, …). */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Every value stored under each metric name, in order. */
  readonly values: Readonly<Record<string, readonly number[]>>;
  readonly units: Readonly<Record<string, string>>;
}

interface EmfLine {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  readonly [key: string]: unknown;
}

/** What `metrics` holds now, as its next EMF line would carry it (nothing is printed or cleared). */
export function storedMetrics(metrics: Metrics): StoredMetrics {
  const emf = metrics.serializeMetrics() as unknown as EmfLine;
  const directive = emf._aws.CloudWatchMetrics[0];
  const values: Record<string, number[]> = {};
  const units: Record<string, string> = {};
  for (const { Name, Unit } of directive?.Metrics ?? []) {
    const value = emf[Name];
    values[Name] = Array.isArray(value) ? (value as number[]) : [value as number];
    units[Name] = Unit;
  }
  const dimensionSets = directive?.Dimensions ?? [];
  const dimensions: Record<string, string> = {};
  for (const name of new Set(dimensionSets.flat())) dimensions[name] = String(emf[name]);
  return { namespace: directive?.Namespace, dimensionSets, dimensions, values, units };
}

/** Each count metric's total. */
export function counts(metrics: Metrics): Record<string, number> {
  const { values, units } = storedMetrics(metrics);
  return Object.fromEntries(
    Object.entries(values)
      .filter(([name]) => units[name] === 'Count')
      .map(([name, list]) => [name, list.reduce((sum, value) => sum + value, 0)]),
  );
}
