import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value (the API client secret) that no printing path reveals: toString, toJSON and
 * util.inspect (every mode, custom inspection off included: the value is in a private field, which
 * inspect cannot see) all say "[redacted]". Only `reveal()` gives the value, at the one place that
 * sends it. Being an ordinary enumerable property of the config, it survives `{ ...config }`.
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
