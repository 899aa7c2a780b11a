import { CtpApiError } from '../errors/CtpApiError';
import { CtpConfigError } from '../errors/CtpConfigError';

/**
 * Re-runs a read-modify-write `fn` on 409 ConcurrentModification, at most `maxRetries` times; any other
 * error, and the last conflict, is thrown as is. `fn` must read the resource again on every run and build
 * its update on that version (nothing rewrites a version for you): a DELETE that does not re-read would
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
    throw new CtpConfigError(['retryOnConflict maxRetries must be a whole number from 0 to 20']);
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      const stale =
        error instanceof CtpApiError && error.status === 409 && error.apiCodes.includes('ConcurrentModification');
      if (!stale || attempt >= maxRetries) throw error;
      await options.onConflict?.(error, attempt + 1);
    }
  }
}
