import type { CtpAuthToken } from '../../auth/CtpAuthToken';
import { CtpErrorCode } from '../../errors/CtpErrorCode';
import { CtpSessionError } from '../../errors/CtpSessionError';

/**
 * The Store an operation runs in: the one asked for, else the session's. A session of one Store
 * never runs an operation in another (nor globally): a shopper of one Store is never signed into
 * another.
 */
export function sessionStore(session: CtpAuthToken | undefined, requested: string | undefined): string | undefined {
  const own = session?.storeKey;
  if (own !== undefined && requested !== undefined && own !== requested) {
    throw new CtpSessionError(
      CtpErrorCode.StoreMismatch,
      'This session belongs to another Store than the one the operation names; nothing was done. Sign out first to act in another Store.',
    );
  }
  return requested ?? own;
}
