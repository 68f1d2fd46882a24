/** Remembers the most recent notification ids, so that a copy is recognised; memory is bounded. */
export class RecentIds {
  readonly #ids = new Set<string>();

  constructor(private readonly capacity = 1000) {}

  /** Records `id`; false when it was already among the most recent ones. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) {
      for (const oldest of this.#ids) {
        this.#ids.delete(oldest);
        break;
      }
    }
    return true;
  }
}
