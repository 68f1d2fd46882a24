/** `--ttl` values: `90s`, `15m`, `2h`, or a plain number of seconds. */

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** Seconds of a duration, or undefined when the text is not one (zero and negatives included). */
export function parseDurationSeconds(text: string): number | undefined {
  const match = /^(\d+)([smh]?)$/.exec(text.trim());
  if (match === null) return undefined;
  const [, amount = '', unit = ''] = match;
  const seconds = Number(amount) * (UNIT_SECONDS[unit] ?? 1);
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : undefined;
}
