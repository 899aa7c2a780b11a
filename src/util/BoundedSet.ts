import { createHash } from 'node:crypto';

/**
 * Remembers the last `capacity` values by their SHA-256, oldest forgotten first. Used for refresh
 * tokens that were logged out, so the set never holds a usable token.
 */
export class BoundedHashSet {
  readonly #hashes = new Set<string>();

  constructor(private readonly capacity: number) {}

  add(value: string): void {
    const hash = BoundedHashSet.#hash(value);
    this.#hashes.delete(hash);
    this.#hashes.add(hash);
    if (this.#hashes.size > this.capacity) {
      const oldest = this.#hashes.values().next().value;
      if (oldest !== undefined) this.#hashes.delete(oldest);
    }
  }

  has(value: string): boolean {
    return this.#hashes.has(BoundedHashSet.#hash(value));
  }

  static #hash(value: string): string {
    return createHash('sha256').update(value).digest('base64url');
  }
}
