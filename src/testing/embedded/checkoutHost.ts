import type { CommercetoolsMock } from '@labdigital/commercetools-mock';
import type { TokenOwner } from '../auth/StrictAuth';
import { FakeCheckoutHost } from '../checkout/FakeCheckoutHost';

/**
 * The Checkout session host's endpoints on the embedded server (the platform serves them on
 * `session.{region}`; here the one server answers both): FakeCheckoutHost behind Fastify routes,
 * a cart checked against the mock's carts (it must exist and be active).
 */
export function applyCheckoutHost(
  mock: CommercetoolsMock,
  projectKey: string,
  now: () => number,
  owner: (accessToken: string) => TokenOwner | undefined,
): FakeCheckoutHost {
  const project = mock.project(projectKey);
  const host = new FakeCheckoutHost({
    projectKey,
    now,
    owner,
    cartExists: async (cartId) => (await project.get('cart', cartId).catch(() => undefined))?.cartState === 'Active',
  });
  for (const url of [`/${projectKey}/sessions`, `/${projectKey}/sessions/:id`]) {
    mock.app.post(url, async (request, reply) => {
      const { status, body } = await host.answer({
        method: request.method,
        path: request.url.split('?')[0] ?? '',
        authorization: request.headers.authorization,
        json: request.body,
      });
      return reply.status(status).send(body);
    });
  }
  return host;
}
