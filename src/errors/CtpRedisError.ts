import { CtpError } from './CtpError';
import type { CtpErrorCode } from './CtpErrorCode';

/** Redis failed or a fleet lock timed out. The cause keeps only name and message: arguments may hold a token. */
export class CtpRedisError extends CtpError {
  constructor(
    code: typeof CtpErrorCode.RedisUnavailable | typeof CtpErrorCode.FleetLockTimeout,
    message: string,
    cause?: unknown,
  ) {
    super(code, message, cause === undefined ? {} : { cause: sanitize(cause) });
  }
}

function sanitize(cause: unknown): Error {
  if (cause instanceof Error) {
    const clean = new Error(cause.message);
    clean.name = cause.name;
    return clean;
  }
  return new Error('unknown Redis error');
}
