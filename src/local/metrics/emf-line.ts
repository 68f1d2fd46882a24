/**
 * Reads one log line of a function as CloudWatch Logs does: a JSON object whose `_aws` member holds
 * `CloudWatchMetrics` directives is an embedded metric format (EMF) record; a metric's and a
 * dimension's value is the top-level member of that name (an array for a metric recorded several times).
 */
import { isRecord } from '../is-record';

/** One metric of an EMF record, with the values of the dimensions of its directive. */
export interface EmfMetric {
  readonly namespace: string;
  readonly name: string;
  /** `Count`, `Milliseconds`, …; `None` when the directive gives none, as CloudWatch reads it. */
  readonly unit: string;
  /** The dimensions of the directive's first dimension set, with their values. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
}

function numbers(value: unknown): number[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  return list.every((item): item is number => typeof item === 'number' && Number.isFinite(item)) ? list : undefined;
}

/** The metrics of an EMF line; empty for any other line. A directive or metric that does not parse is left out. */
export function parseEmfLine(line: string): EmfMetric[] {
  const text = line.trim();
  if (!text.startsWith('{') || !text.includes('"_aws"')) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!isRecord(parsed) || !isRecord(parsed._aws) || !Array.isArray(parsed._aws.CloudWatchMetrics)) return [];
  const record = parsed;
  const found: EmfMetric[] = [];
  for (const directive of parsed._aws.CloudWatchMetrics as unknown[]) {
    if (!isRecord(directive) || typeof directive.Namespace !== 'string' || !Array.isArray(directive.Metrics)) continue;
    const set: unknown = Array.isArray(directive.Dimensions) ? directive.Dimensions[0] : undefined;
    const dimensions: Record<string, string> = {};
    for (const key of Array.isArray(set) ? set : []) {
      const value = typeof key === 'string' ? record[key] : undefined;
      if (typeof key === 'string' && typeof value === 'string') dimensions[key] = value;
    }
    for (const metric of directive.Metrics as unknown[]) {
      if (!isRecord(metric) || typeof metric.Name !== 'string') continue;
      const values = numbers(record[metric.Name]);
      if (values === undefined || values.length === 0) continue;
      found.push({ namespace: directive.Namespace, name: metric.Name, unit: typeof metric.Unit === 'string' ? metric.Unit : 'None', dimensions, values });
    }
  }
  return found;
}
