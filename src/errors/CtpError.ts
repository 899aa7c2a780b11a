import type { CtpErrorCode } from './CtpErrorCode';

export interface CtpErrorOptions {
  cause?: unknown;
  /** HTTP status of the answer that caused the error, when there was one. */
  status?: number;
  /** The raw Response, kept non-enumerable so logging the error never dumps it. */
  response?: Response;
}

/**
 * Base of every error this library throws. `code` is stable; `message` says what to do and never
 * carries a token, secret or password.
 */
export class CtpError extends Error {
  readonly code: CtpErrorCode;
  readonly status: number | undefined;
  declare readonly response: Response | undefined;

  constructor(code: CtpErrorCode, message: string, options: CtpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    Object.defineProperty(this, 'response', {
      value: options.response,
      enumerable: false,
      writable: false,
      configurable: false,
    });
  }

  /** What JSON.stringify shows: no response, no cause chain (a cause may be a foreign error). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, status: this.status };
  }
}
