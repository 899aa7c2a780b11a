import { describe, expect, it, vi } from 'vitest';
import type { EngineRequest } from '../../../src/client/ApiEngine';
import { lockedCartError } from '../../../src/client/lockedCartError';
import { CtpApiError } from '../../../src/errors/CtpApiError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';

const refused = (status: number) =>
  new CtpApiError('refused', {
    code: CtpErrorCode.ApiBadRequest,
    status,
    apiCodes: ['InvalidOperation'],
    method: 'POST',
    uriTemplate: '/{projectKey}/in-store/key={storeKey}/me/carts/{ID}',
    correlationId: 'corr-12345678',
  });
const update = (uriTemplate: string, method = 'POST'): EngineRequest => ({
  method,
  uri: '/p/in-store/key=eu/me/carts/c-1?expand=lineItems[*]',
  uriTemplate,
  headers: { 'Content-Type': 'application/json' },
  body: { version: 3, actions: [] },
});
const IN_STORE = '/{projectKey}/in-store/key={storeKey}/me/carts/{ID}';

describe(lockedCartError, () => {
  it("should read the cart back with the update's path and correlation ID, and answer CTP_CART_LOCKED when it holds a lock", async () => {
    const read = vi.fn(async () => ({ body: { id: 'c-1', lock: { createdAt: '2026-12-07T12:00:00.000Z' } } }));
    const original = refused(400);
    const error = await lockedCartError(original, update(IN_STORE), read).catch((e: unknown) => e);
    expect(read).toHaveBeenCalledWith({
      method: 'GET',
      uri: '/p/in-store/key=eu/me/carts/c-1',
      uriTemplate: IN_STORE,
      headers: { 'X-Correlation-ID': 'corr-12345678' },
    });
    expect(error).toBeInstanceOf(CtpApiError);
    expect(error).toMatchObject({
      code: CtpErrorCode.CartLocked,
      status: 409,
      cause: original,
      apiCodes: ['InvalidOperation'],
      correlationId: 'corr-12345678',
    });
  });

  it.each([
    ['the cart holds no lock', async () => ({ body: { id: 'c-1' } })],
    [
      'the read fails',
      async () => {
        throw new Error('down');
      },
    ],
  ])('should keep the original error when %s', async (_what, read) => {
    const original = refused(409);
    expect(await lockedCartError(original, update(IN_STORE), read).catch((e: unknown) => e)).toBe(original);
  });

  it.each([
    ['another endpoint', update('/{projectKey}/me/shopping-lists/{ID}'), refused(400)],
    ['a read', update(IN_STORE, 'GET'), refused(400)],
    ['a 404', update(IN_STORE), refused(404)],
    ['a 401', update(IN_STORE), refused(401)],
    ['an error that is not an API error', update(IN_STORE), new TypeError('x')],
  ])('should not read anything back for %s', async (_what, request, original) => {
    const read = vi.fn();
    expect(await lockedCartError(original, request, read).catch((e: unknown) => e)).toBe(original);
    expect(read).not.toHaveBeenCalled();
  });
});
