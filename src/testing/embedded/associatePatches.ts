import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allows, associateMissingPermission, neededPermissions, parseAsAssociatePath } from '../associatePermissions';

export interface AssociatePatchContext {
  app: FastifyInstance;
  projectKey: string;
  /** A call into the mock with the embedded server's own token. */
  inject: (
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
  ) => Promise<{ status: number; body: Record<string, unknown> }>;
  /** The shopper of the request's token (undefined for an unknown token). */
  tokenIdentity: (request: FastifyRequest) => { customerId?: string; anonymousId?: string } | undefined;
}

function notFound(reply: FastifyReply, message: string) {
  return reply.status(404).send({ statusCode: 404, message, errors: [{ code: 'ResourceNotFound', message }] });
}

/**
 * The as-associate endpoints as on the platform, over @labdigital/commercetools-mock, which checks
 * nothing there: a shopper's token is refused (403), the associate must belong to the business unit
 * with a role granting the permission the request needs, else the platform's 403
 * AssociateMissingPermission (an unknown unit: 404); and associate carts belong to their unit.
 */
export function applyAssociatePatches({ app, projectKey, inject, tokenIdentity }: AssociatePatchContext): void {
  // As-associate endpoints: the mock checks nothing; the platform takes an API client token (the
  // associate is named in the path) and checks that the associate belongs to the business unit and
  // that one of their roles grants the permission the request needs (403 AssociateMissingPermission).
  const permissionsOf = async (unit: Record<string, unknown>, customerId: string): Promise<string[] | undefined> => {
    const associates = (unit['associates'] ?? []) as {
      customer?: { id?: string };
      associateRoleAssignments?: { associateRole?: { id?: string; key?: string } }[];
    }[];
    const associate = associates.find((a) => a.customer?.id === customerId);
    if (!associate) return undefined;
    const held: string[] = [];
    for (const assignment of associate.associateRoleAssignments ?? []) {
      const ref = assignment.associateRole;
      const path =
        ref?.key !== undefined
          ? `key=${encodeURIComponent(ref.key)}`
          : ref?.id !== undefined
            ? encodeURIComponent(ref.id)
            : undefined;
      if (path === undefined) continue;
      const role = await inject('GET', `/${projectKey}/associate-roles/${path}`);
      if (role.status === 200 && Array.isArray(role.body['permissions']))
        held.push(...(role.body['permissions'] as string[]));
    }
    return held;
  };
  app.addHook('preHandler', async (request, reply) => {
    const url = request.url.split('?')[0] ?? '';
    const path = url.startsWith(`/${projectKey}/as-associate/`)
      ? parseAsAssociatePath(url.slice(projectKey.length + 1))
      : undefined;
    if (!path) return undefined;
    const identity = tokenIdentity(request);
    if (!identity) return undefined; // the mock's own check answers 401 invalid_token
    if (identity.customerId !== undefined || identity.anonymousId !== undefined) {
      const message = 'The as-associate endpoints take an API client token; the associate is named in the path.';
      return reply.status(403).send({
        statusCode: 403,
        message,
        errors: [{ code: 'insufficient_scope', message }],
        error: 'insufficient_scope',
      });
    }
    if (path.businessUnitKey === undefined) return undefined;
    const unit = await inject('GET', `/${projectKey}/business-units/key=${encodeURIComponent(path.businessUnitKey)}`);
    if (unit.status !== 200)
      return notFound(reply, `The BusinessUnit with key '${path.businessUnitKey}' was not found.`);
    const { action, permissions } = neededPermissions(request.method, path);
    if (allows(await permissionsOf(unit.body, path.associateId), permissions)) return undefined;
    return reply
      .status(403)
      .send(associateMissingPermission(path.associateId, path.businessUnitKey, action, permissions));
  });

  // Associate carts belong to the business unit and the associate that created them; the mock lists
  // every cart of the project there. A list shows the unit's carts (the associate's own, or all of the
  // unit with ViewOthersCarts); a cart of another unit is not found.
  const unitCarts = new Map<string, { unitKey: string; customerId: string }>();
  app.addHook('onSend', async (request, reply, payload) => {
    const url = request.url.split('?')[0] ?? '';
    const path = url.startsWith(`/${projectKey}/as-associate/`)
      ? parseAsAssociatePath(url.slice(projectKey.length + 1))
      : undefined;
    if (
      !path ||
      path.resource !== 'carts' ||
      path.businessUnitKey === undefined ||
      typeof payload !== 'string' ||
      reply.statusCode >= 300
    )
      return payload;
    const unitKey = path.businessUnitKey;
    const body = JSON.parse(payload) as Record<string, unknown>;
    if (request.method === 'POST' && path.id === undefined && reply.statusCode === 201) {
      unitCarts.set(body['id'] as string, { unitKey, customerId: path.associateId });
      const updated = await inject('POST', `/${projectKey}/carts/${String(body['id'])}`, {
        version: body['version'],
        actions: [{ action: 'setCustomerId', customerId: path.associateId }],
      });
      return JSON.stringify({ ...updated.body, businessUnit: { typeId: 'business-unit', key: unitKey } });
    }
    if (request.method !== 'GET') return payload;
    const unit = await inject('GET', `/${projectKey}/business-units/key=${encodeURIComponent(unitKey)}`);
    const seesOthers = (await permissionsOf(unit.body, path.associateId))?.includes('ViewOthersCarts') ?? false;
    const visible = (id: unknown) => {
      const owner = typeof id === 'string' ? unitCarts.get(id) : undefined;
      return owner !== undefined && owner.unitKey === unitKey && (seesOthers || owner.customerId === path.associateId);
    };
    const withUnit = (cart: Record<string, unknown>) => ({
      ...cart,
      businessUnit: { typeId: 'business-unit', key: unitKey },
    });
    if (path.id !== undefined) {
      if (visible(body['id'])) return JSON.stringify(withUnit(body));
      reply.status(404);
      return JSON.stringify({
        statusCode: 404,
        message: 'The Resource was not found.',
        errors: [{ code: 'ResourceNotFound', message: 'The Resource was not found.' }],
      });
    }
    const results = ((body['results'] ?? []) as Record<string, unknown>[])
      .filter((c) => visible(c['id']))
      .map(withUnit);
    return JSON.stringify({ ...body, count: results.length, total: results.length, results });
  });
}
