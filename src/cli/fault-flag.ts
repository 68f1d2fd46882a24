/**
 * `npm start -- --fault dynamodb=0.2,management=0.2`: which services of the local stack fail that
 * fraction of their calls with throttling or 5xx errors, as AWS does (src/local/services/fault-injection.ts).
 */
import type { LocalFaults } from '../local/runtime';
import { UsageError } from './cli-support';

/** The services a fault can be injected into, as the flag names them. */
export const FAULT_SERVICES = ['dynamodb', 'sqs', 'management'] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];

const USAGE = `use name=rate[,name=rate] with names ${FAULT_SERVICES.join(', ')} and rates from 0 to 1, e.g. --fault dynamodb=0.2,management=0.2`;
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

function isFaultService(name: string): name is FaultService {
  return (FAULT_SERVICES as readonly string[]).includes(name);
}

/**
 * Parses the values of `--fault` (the flag may be repeated; the values are joined). Returns
 * undefined when the flag is absent; a UsageError (one line) for an unknown name, a rate outside
 * 0–1 or not a number, a missing `=`, or a name given twice.
 */
export function parseFaultFlag(values: string | readonly string[] | undefined): LocalFaults | undefined {
  if (values === undefined) return undefined;
  const list = typeof values === 'string' ? [values] : values;
  if (list.length === 0) return undefined;
  const faults: Partial<Record<FaultService, { rate: number }>> = {};
  for (const item of list.flatMap((value) => value.split(','))) {
    const entry = item.trim();
    const equals = entry.indexOf('=');
    if (equals === -1) throw new UsageError(`--fault: "${entry}" is not name=rate; ${USAGE}`);
    const name = entry.slice(0, equals).trim();
    const rateText = entry.slice(equals + 1).trim();
    if (!isFaultService(name)) throw new UsageError(`--fault: unknown name "${name}"; ${USAGE}`);
    const rate = Number(rateText);
    if (!DECIMAL.test(rateText) || !(rate >= 0 && rate <= 1)) throw new UsageError(`--fault: the rate of ${name} must be from 0 to 1, got "${rateText}"; ${USAGE}`);
    if (faults[name] !== undefined) throw new UsageError(`--fault: ${name} is given twice; ${USAGE}`);
    faults[name] = { rate };
  }
  return faults;
}

/** `dynamodb 20 %, management 20 %`, for the start-up output. */
export function describeFaults(faults: LocalFaults): string {
  return FAULT_SERVICES.filter((name) => faults[name] !== undefined)
    .map((name) => `${name} ${Math.round((faults[name]?.rate ?? 0) * 1000) / 10} %`)
    .join(', ');
}
