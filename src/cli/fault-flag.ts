/**
 * `npm start -- --fault dynamodb=0.2,management=hang:0.05`: which services of the local stack fail
 * or hang that fraction of their calls (src/local/services/fault-injection.ts):
 *
 * - `name=rate`: answered with AWS's throttling or 5xx errors, before any effect;
 * - `name=hang:rate`: accepted and never answered, so that only the caller's timeout ends it;
 * - `name=hang:rate:duration` (`40s`, `2m`): accepted, then carried out and answered after that
 *   long, if the caller still waits.
 */
import type { LocalFaults } from '../local/runtime';
import type { FaultOptions } from '../local/services/fault-injection';
import { UsageError } from './cli-support';
import { parseDurationSeconds } from './durations';

/** The services a fault can be injected into, as the flag names them. */
export const FAULT_SERVICES = ['dynamodb', 'sqs', 'management'] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];

const USAGE =
  `use name=rate (errors) or name=hang:rate[:duration] (calls never answered, or answered after the duration) ` +
  `with names ${FAULT_SERVICES.join(', ')} and rates from 0 to 1, e.g. --fault dynamodb=0.2,management=hang:0.05`;
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const HANG = 'hang:';

function isFaultService(name: string): name is FaultService {
  return (FAULT_SERVICES as readonly string[]).includes(name);
}

function parseRate(name: string, text: string): number {
  const rate = Number(text);
  if (!DECIMAL.test(text) || !(rate >= 0 && rate <= 1)) throw new UsageError(`--fault: the rate of ${name} must be from 0 to 1, got "${text}"; ${USAGE}`);
  return rate;
}

/** `rate`, `hang:rate` or `hang:rate:duration`, for service `name`. */
function parseFault(name: string, value: string): FaultOptions {
  if (!value.startsWith(HANG)) return { rate: parseRate(name, value) };
  const [rateText = '', durationText, ...rest] = value.slice(HANG.length).split(':');
  if (rest.length > 0) throw new UsageError(`--fault: "${value}" is not hang:rate[:duration]; ${USAGE}`);
  const rate = parseRate(name, rateText.trim());
  if (durationText === undefined) return { rate, kinds: ['hang'] };
  const seconds = parseDurationSeconds(durationText);
  if (seconds === undefined || seconds > 3600) {
    throw new UsageError(`--fault: the hang duration of ${name} must be 1s to 1h (e.g. 40s, 2m), got "${durationText.trim()}"; ${USAGE}`);
  }
  return { rate, kinds: ['hang'], hangMs: seconds * 1000 };
}

/**
 * Parses the values of `--fault` (the flag may be repeated; the values are joined). Returns
 * undefined when the flag is absent; a UsageError (one line) for an unknown name, a rate outside
 * 0–1 or not a number, a bad hang duration, a missing `=`, or a name given twice.
 */
export function parseFaultFlag(values: string | readonly string[] | undefined): LocalFaults | undefined {
  if (values === undefined) return undefined;
  const list = typeof values === 'string' ? [values] : values;
  if (list.length === 0) return undefined;
  const faults: Partial<Record<FaultService, FaultOptions>> = {};
  for (const item of list.flatMap((value) => value.split(','))) {
    const entry = item.trim();
    const equals = entry.indexOf('=');
    if (equals === -1) throw new UsageError(`--fault: "${entry}" is not name=rate; ${USAGE}`);
    const name = entry.slice(0, equals).trim();
    if (!isFaultService(name)) throw new UsageError(`--fault: unknown name "${name}"; ${USAGE}`);
    const fault = parseFault(name, entry.slice(equals + 1).trim());
    if (faults[name] !== undefined) throw new UsageError(`--fault: ${name} is given twice; ${USAGE}`);
    faults[name] = fault;
  }
  return faults;
}

const percent = (rate: number): string => `${Math.round(rate * 1000) / 10} %`;

/** `dynamodb 20 % of calls fail, management 5 % of calls hang (never answered)`, for the start-up output. */
export function describeFaults(faults: LocalFaults): string {
  return FAULT_SERVICES.flatMap((name) => {
    const fault = faults[name];
    if (fault === undefined) return [];
    if (!(fault.kinds ?? []).includes('hang')) return [`${name} ${percent(fault.rate)} of calls fail`];
    const late = fault.hangMs === undefined ? 'never answered' : `answered after ${fault.hangMs / 1000} s`;
    return [`${name} ${percent(fault.rate)} of calls hang (${late})`];
  }).join(', ');
}
