/**
 * Where the next `resume` starts: the highest `seq` up to which the client has received every
 * notification of the user's inbox (a contiguous watermark), not merely the highest `seq` seen.
 * Live notifications can arrive out of order; resuming after the highest one seen would skip a
 * lower one still on its way when the connection drops. Higher ones are remembered until the
 * missing ones arrive or a complete `resume` answer shows that they do not exist.
 */

/** `after` of the first resume when there is no saved position: only the inbox's `latest` is learnt. */
export const TAIL = Number.MAX_SAFE_INTEGER;
/** The most sequence numbers above the cursor remembered; beyond, the highest are forgotten (a later resume replays them, and ids tell the copies). */
export const MAX_AHEAD = 1000;

export class ResumePosition {
  #cursor: number | null;
  /** Sequence numbers above the cursor already received. */
  readonly #ahead = new Set<number>();

  /**
   * @param cursor the saved position, or null for none: the first resume then starts at the
   *   inbox's end instead of replaying its whole content.
   * @param onAdvance called with each new position, to save it.
   */
  constructor(
    cursor: number | null,
    private readonly onAdvance: (cursor: number) => void,
  ) {
    this.#cursor = cursor;
  }

  /** `after` of the next resume. */
  get after(): number {
    return this.#cursor ?? TAIL;
  }

  /** True when a notification above the cursor has arrived while one between them has not. */
  get hasGap(): boolean {
    return this.#cursor !== null && this.#ahead.size > 0;
  }

  /** Records a received notification's `seq`. */
  received(seq: number): void {
    if (this.#cursor === null || seq > this.#cursor) {
      this.#ahead.add(seq);
      this.#absorb(this.#cursor);
      if (this.#ahead.size > MAX_AHEAD) this.#ahead.delete(Math.max(...this.#ahead));
    }
  }

  /** Everything up to `seq` has been received or does not exist (a page of a resume answer). */
  confirm(seq: number): void {
    this.#absorb(Math.max(seq, this.#cursor ?? 0));
  }

  /**
   * Applies the last answer of a resume run that started after `after`. Returns true when the
   * inbox is behind the saved position (it was emptied or belongs to another user): the position
   * moves back to the inbox's `latest`, and the application should reload its state.
   */
  settle(after: number, latest: number): boolean {
    if (this.#cursor !== null && after !== TAIL && latest < after) {
      this.#ahead.clear();
      this.#cursor = latest;
      this.onAdvance(latest);
      return true;
    }
    this.confirm(latest);
    return false;
  }

  /** Moves the cursor to `floor` (when not null) and then over every contiguous received `seq`. */
  #absorb(floor: number | null): void {
    if (floor === null) return;
    let cursor = floor;
    for (const seq of this.#ahead) if (seq <= cursor) this.#ahead.delete(seq);
    while (this.#ahead.delete(cursor + 1)) cursor += 1;
    if (cursor !== this.#cursor) {
      this.#cursor = cursor;
      this.onAdvance(cursor);
    }
  }
}
