/** Randomness of the client: exponential backoff with full jitter, and jittered moments. */

/** A source of numbers in [0, 1), like Math.random. */
export type RandomSource = () => number;

/** A number drawn uniformly from [low, high). */
export function jitter(random: RandomSource, low: number, high: number): number {
  return low + random() * (high - low);
}

/**
 * Exponential backoff with full jitter: the n-th delay (from 0) is drawn uniformly from
 * [0, min(cap, base × 2^n)), so the first is under `base` and none reaches `cap`.
 */
export class Backoff {
  #attempt = 0;

  constructor(
    private readonly random: RandomSource,
    private readonly baseMs = 1000,
    private readonly capMs = 30_000,
  ) {}

  /** The next delay in milliseconds; each call moves one step up until the cap. */
  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** this.#attempt);
    if (ceiling < this.capMs) this.#attempt += 1;
    return Math.floor(this.random() * ceiling);
  }

  /** Back to the first step. */
  reset(): void {
    this.#attempt = 0;
  }
}
