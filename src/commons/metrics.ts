/**
 * The service's metrics through Powertools Metrics: CloudWatch embedded metric format (EMF), one
 * JSON log line per invocation that CloudWatch Logs turns into metrics, no PutMetricData call and
 * no IAM right. Each entry file creates one Metrics per module (createFunctionMetrics) and its
 * lambdaEntry publishes what the invocation stored; handlers receive it and record through the
 * helpers below, by the names of metric-names.ts.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { getOptionalStringFromEnv, getStringFromEnv, type Environment } from './config';
import { METRIC_NAMES, REFUSAL_REASON_DIMENSION, SERVICE_NAME, STAGE_DIMENSION, type HandshakeRefusalReason } from './metric-names';

export type { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * The function's Metrics: namespace from POWERTOOLS_METRICS_NAMESPACE, the `stage` dimension from
 * STAGE (both required), `service` from POWERTOOLS_SERVICE_NAME.
 */
export function createFunctionMetrics(env: Environment = process.env): Metrics {
  return new Metrics({
    namespace: getStringFromEnv('POWERTOOLS_METRICS_NAMESPACE', env),
    serviceName: getOptionalStringFromEnv('POWERTOOLS_SERVICE_NAME', env) ?? SERVICE_NAME,
    defaultDimensions: { [STAGE_DIMENSION]: getStringFromEnv('STAGE', env) },
  });
}

/** Counters of the service (every metric but the latency and the refusals, which have helpers of their own). */
export type CountMetricName = Exclude<(typeof METRIC_NAMES)[keyof typeof METRIC_NAMES], 'DeliveryLatency' | 'HandshakesRefused'>;

/** Adds `value` (default 1) to a counter. */
export function addCount(metrics: Metrics, name: CountMetricName, value = 1): void {
  if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
}

/**
 * Counts a refused handshake under its reason. The reason is a dimension of the invocation's whole
 * EMF line: only the handshake functions (Authorizer, `$connect`) call this, and they record
 * nothing else in an invocation that refuses.
 */
export function addHandshakeRefused(metrics: Metrics, reason: HandshakeRefusalReason): void {
  metrics.addDimension(REFUSAL_REASON_DIMENSION, reason);
  metrics.addMetric(METRIC_NAMES.handshakesRefused, MetricUnit.Count, 1);
}

/** Records one delivery's latency; a negative figure (clocks apart) is recorded as 0. */
export function addDeliveryLatency(metrics: Metrics, milliseconds: number): void {
  if (!Number.isFinite(milliseconds)) return;
  metrics.addMetric(METRIC_NAMES.deliveryLatency, MetricUnit.Milliseconds, Math.max(0, milliseconds));
}
