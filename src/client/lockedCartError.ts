import { CtpApiError } from '../errors/CtpApiError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import type { EngineRequest } from './ApiEngine';

/** A shopper's update of one of their carts (`POST /me/carts/{ID}`, in a Store or not). */
const CART_UPDATE = /^\/\{projectKey\}(?:\/in-store\/key=\{storeKey\})?\/me\/carts\/\{ID\}$/;

/** Statuses the platform could answer a locked cart's update with: its refusal is not documented. */
const REFUSALS = new Set([400, 403, 409, 422, 423]);

/**
 * What a shopper's refused cart update rejects with: CTP_CART_LOCKED when the cart, read back through
 * `read` (the same builder's client and token), holds a `lock`; else the original error. The platform does
 * not document how it refuses a locked cart's update, so only the cart's state after it is trusted.
 */
export async function lockedCartError(
  error: unknown,
  update: EngineRequest,
  read: (request: EngineRequest) => Promise<unknown>,
): Promise<never> {
  const refused = error instanceof CtpApiError && REFUSALS.has(error.status ?? 0);
  if (!refused || update.method !== 'POST' || !CART_UPDATE.test(update.uriTemplate ?? '')) throw error;
  let lock: unknown;
  try {
    const answer = await read({
      method: 'GET',
      uri: update.uri.split('?')[0]!,
      uriTemplate: update.uriTemplate!,
      headers: error.correlationId === undefined ? {} : { 'X-Correlation-ID': error.correlationId },
    });
    lock = (answer as { body?: { lock?: unknown } } | undefined)?.body?.lock;
  } catch {
    // The read failed: the update's own error says more than a guess would.
  }
  if (typeof lock !== 'object' || lock === null) throw error;
  const { apiCodes, method, uriTemplate, correlationId, retries } = error;
  throw new CtpApiError(
    `POST ${update.uriTemplate}: the cart is locked (customer service is working on it), so the update was refused; try again once it is unlocked.`,
    { cause: error, code: CtpErrorCode.CartLocked, status: 409, apiCodes, method, uriTemplate, correlationId, retries },
  );
}
