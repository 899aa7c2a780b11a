import { createHash } from 'node:crypto';
import { setBounded } from './setBounded';

/** The last `capacity` values by their SHA-256 (logged-out refresh tokens: the set never holds a usable one). */
export class BoundedHashSet {
  readonly #hashes = new Map<string, true>();

  constructor(private readonly capacity: number) {}

  add(value: string): void {
    setBounded(this.#hashes, BoundedHashSet.#hash(value), true, this.capacity);
  }

  has(value: string): boolean {
    return this.#hashes.has(BoundedHashSet.#hash(value));
  }

  static #hash(value: string): string {
    return createHash('sha256').update(value).digest('base64url');
  }
}
