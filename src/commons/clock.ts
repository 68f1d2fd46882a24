/** Current time in milliseconds since the epoch; injected so tests control time. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** Whole unix seconds of a millisecond timestamp. */
export function toUnixSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}
