/**
 * `--drop-disconnect RATE`: API Gateway invokes `$disconnect` on a best-effort basis; now and then
 * a connection closes and its `$disconnect` never runs, so its record stays behind. The gateway
 * drops that fraction of its `$disconnect` invocations (every cause of a close alike); the client
 * and the gateway's `disconnect` observers see the close as usual.
 */

export interface DisconnectDropOptions {
  /** Fraction of `$disconnect` invocations that never happen, from 0 to 1. */
  readonly rate: number;
  /** Random source in [0, 1); tests pass a deterministic one. */
  readonly random?: () => number;
}

/** What the drops have done since the gateway was made. */
export interface DisconnectDropCounts {
  /** `$disconnect` invocations due while drops were on (each was drawn once). */
  readonly drawn: number;
  /** Of those, the ones that never happened. */
  readonly dropped: number;
}

/** Decides, for each `$disconnect` due, whether it is dropped. */
export class DisconnectDrops {
  #options: DisconnectDropOptions | undefined;
  #drawn = 0;
  #dropped = 0;

  constructor(options?: DisconnectDropOptions) {
    this.set(options);
  }

  /** Starts, changes (`options`) or stops (`undefined`) the drops. TypeError for invalid options. */
  set(options: DisconnectDropOptions | undefined): void {
    if (options !== undefined && !(options.rate >= 0 && options.rate <= 1)) {
      throw new TypeError(`dropDisconnects.rate must be a number from 0 to 1, got ${options.rate}`);
    }
    this.#options = options;
  }

  /** True when this `$disconnect` must not be invoked. */
  drop(): boolean {
    const options = this.#options;
    if (options === undefined) return false;
    this.#drawn += 1;
    if (options.rate === 0 || (options.random ?? Math.random)() >= options.rate) return false;
    this.#dropped += 1;
    return true;
  }

  counts(): DisconnectDropCounts {
    return { drawn: this.#drawn, dropped: this.#dropped };
  }
}
