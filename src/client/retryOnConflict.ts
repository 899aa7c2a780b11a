import { CtpApiError } from '../errors/CtpApiError';
import { CtpConfigError } from '../errors/CtpConfigError';
import { CtpErrorCode } from '../errors/CtpErrorCode';

/** A 409 answered with ConcurrentModification: the version the update was based on is stale. */
export function isConcurrentModification(error: unknown): error is CtpApiError {
  return error instanceof CtpApiError && error.status === 409 && error.apiCodes.includes('ConcurrentModification');
}

/**
 * Re-runs a read-modify-write `fn` when the API answers 409 ConcurrentModification, at most
 * `maxRetries` times. `fn` must read the resource again on every run and build its update on the
 * version it read: the helper never rewrites a version itself, and nothing is retried on 409
 * automatically anywhere else. Any other error (and the last conflict) is thrown as is.
 *
 * Do not wrap a DELETE whose version you do not re-read: re-sending it with a newer version would
 * delete what someone else just changed.
 *
 * @example
 * const cart = await retryOnConflict(async () => {
 *   const { body: current } = await apiRoot.carts().withId({ ID }).get().execute();
 *   return (await apiRoot.carts().withId({ ID }).post({ body: { version: current.version, actions } }).execute()).body;
 * });
 */
export async function retryOnConflict<T>(
  fn: (attempt: number) => Promise<T>,
  options: {
    /** Runs of `fn` after the first (default 3). */
    maxRetries?: number;
    /** Called before each re-run, e.g. to log or to wait. */
    onConflict?: (error: CtpApiError, attempt: number) => void | Promise<void>;
  } = {},
): Promise<T> {
  const maxRetries = options.maxRetries ?? 3;
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0 && maxRetries <= 20))
    throw new CtpConfigError(
      ['retryOnConflict maxRetries must be a whole number from 0 to 20'],
      CtpErrorCode.ConfigInvalid,
    );
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!isConcurrentModification(error) || attempt >= maxRetries) throw error;
      await options.onConflict?.(error, attempt + 1);
    }
  }
}
