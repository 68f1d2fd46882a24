/**
 * `npm start -- --index-lag MS --sqs-duplicates RATE --drop-disconnect RATE`: the AWS behaviours
 * that bite in production, on demand (docs/local.md): global secondary indexes that lag behind
 * their table, queue messages delivered twice, `$disconnect` invocations that never happen.
 */
import type { LocalStackOptions } from '../local/runtime';
import { UsageError } from './cli-support';

/** The longest index lag the flag takes: 10 minutes. */
const MAX_INDEX_LAG_MS = 600_000;
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

export type BehaviourOptions = Pick<LocalStackOptions, 'indexLagMs' | 'sqsDuplicates' | 'dropDisconnects'>;

/** `--index-lag MS`: a whole number of milliseconds from 0 to 600000; undefined when absent. */
export function parseIndexLag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > MAX_INDEX_LAG_MS) {
    throw new UsageError(`--index-lag must be a whole number of milliseconds from 0 to ${MAX_INDEX_LAG_MS}, got "${value}"`);
  }
  return Number(value);
}

/** A rate flag: a decimal from 0 to 1; undefined when absent. */
export function parseRate(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const rate = Number(value);
  if (!DECIMAL.test(value) || !(rate >= 0 && rate <= 1)) throw new UsageError(`--${flag} must be a fraction from 0 to 1 (e.g. 0.1), got "${value}"`);
  return rate;
}

/** The three flags as LocalStackOptions; a UsageError (one line) for a bad value. */
export function parseBehaviourFlags(flags: { readonly 'index-lag'?: string; readonly 'sqs-duplicates'?: string; readonly 'drop-disconnect'?: string }): BehaviourOptions {
  const indexLagMs = parseIndexLag(flags['index-lag']);
  const duplicates = parseRate(flags['sqs-duplicates'], 'sqs-duplicates');
  const drops = parseRate(flags['drop-disconnect'], 'drop-disconnect');
  return {
    ...(indexLagMs !== undefined ? { indexLagMs } : {}),
    ...(duplicates !== undefined ? { sqsDuplicates: { rate: duplicates } } : {}),
    ...(drops !== undefined ? { dropDisconnects: { rate: drops } } : {}),
  };
}

const percent = (rate: number): string => `${Math.round(rate * 1000) / 10} %`;

/** One line for the start-up output, or undefined when no behaviour is on. */
export function describeBehaviours(options: BehaviourOptions): string | undefined {
  const parts = [
    ...(options.indexLagMs !== undefined && options.indexLagMs > 0 ? [`global secondary indexes show writes ${options.indexLagMs} ms late`] : []),
    ...(options.sqsDuplicates !== undefined && options.sqsDuplicates.rate > 0 ? [`${percent(options.sqsDuplicates.rate)} of queue messages are delivered twice`] : []),
    ...(options.dropDisconnects !== undefined && options.dropDisconnects.rate > 0 ? [`${percent(options.dropDisconnects.rate)} of $disconnect invocations never happen`] : []),
  ];
  return parts.length === 0 ? undefined : `Production behaviours: ${parts.join('; ')}.`;
}
