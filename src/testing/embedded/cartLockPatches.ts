import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommercetoolsMock } from '@labdigital/commercetools-mock';
import { apiRefusal, type FakeAnswer } from '../auth/fakeAnswers';
import type { TokenOwner } from '../auth/StrictAuth';

type Cart = Record<string, unknown> & { id: string; version: number; cartState?: string; customerId?: string };

/**
 * Cart locks (customer service, since 2026-01-16) on the embedded server, which the mock lacks: the
 * `lockCart` and `unlockCart` update actions (only a token holding `manage_locked_carts`), `lock`
 * recorded as `{ createdAt, clientId }`, every other update of a locked cart refused unless the token
 * holds `manage_locked_carts` (the platform's refusal is undocumented: 400 InvalidOperation here),
 * and the customer's active cart at `/carts/customer-id={id}`, which the mock does not route.
 */
export function applyCartLockPatches(
  mock: CommercetoolsMock,
  projectKey: string,
  now: () => number,
  owner: (accessToken: string) => TokenOwner | undefined,
): void {
  const project = mock.project(projectKey);
  // A token for the patch's own reads through the mock (not one StrictAuth issued: the strict front lets it pass).
  const admin = mock.authStore().getClientToken('embedded-locks', '', `manage_project:${projectKey}`).access_token;
  const holdsLockScope = (who: TokenOwner) =>
    who.scopes.some((s) => s === `manage_locked_carts:${projectKey}` || s === `manage_project:${projectKey}`);
  const send = (reply: FastifyReply, answer: FakeAnswer) => reply.status(answer.status).send(answer.body);
  const cartOf = async (id: string) => (await project.get('cart', id).catch(() => undefined)) as Cart | undefined;

  mock.app.addHook('preHandler', async (request: FastifyRequest, reply) => {
    const path = (request.url.split('?')[0] ?? '').replace(new RegExp(`^/${projectKey}(?:/in-store/key=[^/]+)?`), '');
    const who = owner((request.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (who === undefined) return undefined; // the strict front or the mock answers
    const byCustomer = request.method === 'GET' ? path.match(/^\/carts\/customer-id=([^/]+)$/) : null;
    if (byCustomer) {
      const where = `customerId="${decodeURIComponent(byCustomer[1]!).replace(/"/g, '')}" and cartState="Active"`;
      const found = await mock.app.inject({
        method: 'GET',
        url: `/${projectKey}/carts?where=${encodeURIComponent(where)}&sort=${encodeURIComponent('lastModifiedAt desc')}&limit=1`,
        headers: { authorization: `Bearer ${admin}` },
      });
      const active = found.json<{ results?: Cart[] }>().results?.[0];
      return active ? reply.send(active) : send(reply, apiRefusal(404, 'ResourceNotFound', 'No active cart exists.'));
    }
    const update = request.method === 'POST' ? path.match(/^(?:\/me)?\/carts\/([^/=]+)$/) : null;
    if (!update) return undefined;
    const cart = await cartOf(decodeURIComponent(update[1]!));
    if (cart === undefined) return undefined;
    const body = (request.body ?? {}) as { version?: unknown; actions?: { action?: unknown }[] };
    const actions = Array.isArray(body.actions) ? body.actions : [];
    const locking = actions.filter((a) => a.action === 'lockCart' || a.action === 'unlockCart');
    if (locking.length === 0) {
      if (cart['lock'] !== undefined && !holdsLockScope(who))
        return send(reply, apiRefusal(400, 'InvalidOperation', 'The Cart is locked and cannot be updated.'));
      return undefined;
    }
    if (!holdsLockScope(who))
      return send(
        reply,
        apiRefusal(
          403,
          'insufficient_scope',
          'Insufficient scope. One of the following scopes is missing: manage_locked_carts.',
        ),
      );
    if (locking.length !== actions.length || actions.length !== 1)
      return send(reply, apiRefusal(400, 'InvalidInput', 'lockCart and unlockCart are sent alone here.'));
    if (body.version !== cart.version)
      return send(
        reply,
        apiRefusal(409, 'ConcurrentModification', `Object ${cart.id} has a different version than expected.`, {
          currentVersion: cart.version,
        }),
      );
    const lock = locking[0]!.action === 'lockCart';
    if (lock === (cart['lock'] !== undefined))
      return send(
        reply,
        apiRefusal(400, 'InvalidOperation', lock ? 'The Cart is locked already.' : 'The Cart is not locked.'),
      );
    const { lock: _dropped, ...rest } = cart;
    const next: Cart = {
      ...rest,
      version: cart.version + 1,
      lastModifiedAt: new Date(now()).toISOString(),
      ...(lock ? { lock: { createdAt: new Date(now()).toISOString(), clientId: who.clientId } } : {}),
    };
    await project.unsafeAdd('cart', next as never);
    return reply.send(next);
  });
}
