import type { CommercetoolsMock } from '@labdigital/commercetools-mock';
import { apiRefusal, type FakeAnswer } from '../auth/fakeAnswers';

type Cart = Record<string, unknown> & { id: string; version: number };

/**
 * Merge Cart (`POST /carts/customer-id={id}/merge`, in a Store too) on the embedded server, which
 * the mock does not route: how a customer of an external identity provider gets the anonymous
 * cart. As the platform since 2025-10-23 (and the testing kit's mergeCart): the anonymous cart
 * becomes the customer's active cart when they have none; otherwise its line items join the
 * customer's cart (MergeWithExistingCustomerCart, the anonymous cart then Merged) or it replaces it
 * (UseAsNewActiveCustomerCart). The answer is the customer's active cart; no anonymous cart is 404.
 */
export function applyMergeCartPatch(
  mock: CommercetoolsMock,
  projectKey: string,
  assignCart: (cartId: string, customerId: string) => void,
): void {
  const admin = mock.authStore().getClientToken('embedded-merge', '', `manage_project:${projectKey}`).access_token;
  const project = mock.project(projectKey);
  const inject = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const response = await mock.app.inject({
      method,
      url: `/${projectKey}${url}`,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    return response.json<Record<string, unknown>>();
  };
  const activeWhere = async (predicate: string) =>
    (
      (await inject('GET', `/carts?where=${encodeURIComponent(`${predicate} and cartState="Active"`)}&limit=1`))[
        'results'
      ] as Cart[] | undefined
    )?.[0];

  mock.app.addHook('preHandler', async (request, reply) => {
    const path = (request.url.split('?')[0] ?? '').replace(new RegExp(`^/${projectKey}(?:/in-store/key=[^/]+)?`), '');
    const m = request.method === 'POST' ? path.match(/^\/carts\/customer-id=([^/]+)\/merge$/) : null;
    if (!m || reply.sent) return undefined;
    const send = (answer: FakeAnswer) => reply.status(answer.status).send(answer.body);
    const customerId = decodeURIComponent(m[1]!).replace(/"/g, '');
    const body = (request.body ?? {}) as {
      anonymousId?: unknown;
      anonymousCart?: { id?: unknown };
      mergeMode?: unknown;
    };
    const anonymous =
      typeof body.anonymousId === 'string'
        ? await activeWhere(`anonymousId="${body.anonymousId.replace(/"/g, '')}" and customerId is not defined`)
        : typeof body.anonymousCart?.id === 'string'
          ? ((await project.get('cart', body.anonymousCart.id).catch(() => undefined)) as Cart | undefined)
          : undefined;
    if (anonymous === undefined || anonymous['customerId'] !== undefined)
      return send(apiRefusal(404, 'ResourceNotFound', 'The anonymous cart was not found.'));
    const existing = await activeWhere(`customerId="${customerId}"`);
    if (existing === undefined || body.mergeMode === 'UseAsNewActiveCustomerCart') {
      const next = { ...anonymous, customerId, version: anonymous.version + 1 };
      await project.unsafeAdd('cart', next as never);
      assignCart(next.id, customerId);
      return reply.send(next);
    }
    let merged: Cart = existing;
    for (const item of (anonymous['lineItems'] as { variant?: { sku?: string }; quantity?: number }[]) ?? []) {
      const actions = [{ action: 'addLineItem', sku: item.variant?.sku, quantity: item.quantity ?? 1 }];
      merged = (await inject('POST', `/carts/${merged.id}`, { version: merged.version, actions })) as Cart;
    }
    await project.unsafeAdd('cart', { ...anonymous, cartState: 'Merged', version: anonymous.version + 1 } as never);
    return reply.send(merged);
  });
}
