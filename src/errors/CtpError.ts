import type { CtpErrorCode } from './CtpErrorCode';

// A registered symbol, so the ESM and CJS builds (two copies of this class) recognise each other's errors.
const BRAND = Symbol.for('ctp-client.CtpError');

/** Base of every error this library throws. `code` is stable; `message` never carries a token, secret or password. */
export class CtpError extends Error {
  readonly code: CtpErrorCode;
  readonly status: number | undefined;
  declare readonly response: Response | undefined;

  /**
   * True for an error of this library from either build (ESM or CJS); with `code`, only for that code.
   * @example
   * if (CtpError.is(error, CtpErrorCode.SessionExpired)) res.status(401);
   */
  static is(error: unknown, code?: CtpErrorCode): error is CtpError {
    return isBranded(error) && (code === undefined || error.code === code);
  }

  /** `instanceof` across both builds: a branded class of the same name in the prototype chain matches. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!isBranded(value)) return false;
    if ((this as unknown as { [BRAND]?: true })[BRAND] === true && this.name === 'CtpError') return true;
    for (
      let proto = Object.getPrototypeOf(value) as object | null;
      proto !== null;
      proto = Object.getPrototypeOf(proto) as object | null
    ) {
      const ctor = (proto as { constructor?: unknown }).constructor;
      if (
        ctor === this ||
        (typeof ctor === 'function' && ctor.name === this.name && (ctor as { [BRAND]?: true })[BRAND] === true)
      )
        return true;
    }
    return false;
  }

  static readonly [BRAND] = true;

  constructor(
    code: CtpErrorCode,
    message: string,
    options: {
      cause?: unknown;
      /** HTTP status of the answer that caused the error, when there was one. */
      status?: number;
      /** The raw Response, kept non-enumerable so logging the error never dumps it. */
      response?: Response;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, BRAND, { value: true });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    // defineProperty's defaults: not enumerable, not writable.
    Object.defineProperty(this, 'response', { value: options.response });
  }

  /** The message and the fields (a subclass's too); never the response or the cause (a foreign error). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...Object.fromEntries(Object.entries(this)) };
  }
}

/** The options of CtpError's constructor, for the library's own subclasses. */
export type CtpErrorOptions = NonNullable<ConstructorParameters<typeof CtpError>[2]>;

function isBranded(value: unknown): value is CtpError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}
