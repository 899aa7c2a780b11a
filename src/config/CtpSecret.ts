import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * The API client secret, which no printing path reveals: the value is in a private field, which even
 * util.inspect with custom inspection off cannot see. Enumerable in the config, so `{ ...config }` keeps it.
 */
export class CtpSecret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }

  /** The secret itself; call only where it is sent. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  static isSecret(value: unknown): value is CtpSecret {
    return value instanceof CtpSecret;
  }
}
