import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CommercetoolsMock } from '@labdigital/commercetools-mock';
import { endpointRefusal } from '../auth/endpointScopes';
import { externalOwner, type FakeExternalOAuth } from '../auth/ExternalOAuth';
import { apiRefusal, invalidToken, type FakeAnswer } from '../auth/fakeAnswers';
import { StrictAuth, type StrictAuthOptions } from '../auth/StrictAuth';

/**
 * The strictness of the platform in front of @labdigital/commercetools-mock, which checks neither
 * client secrets, nor scopes, nor expiry, and revokes a pair when one token of it is revoked: the
 * auth host is StrictAuth's (the mock's OAuth handlers never run), and every API call's token must
 * be live and hold the endpoint's scope before the mock (and the platform patches) see it. Tokens
 * StrictAuth issues are mirrored into the mock's token store, so its `/me` routes know the shopper.
 * The mock's own tokens (the embedded server's seeding and internal calls) pass untouched.
 */
export function applyStrictFront(
  mock: CommercetoolsMock,
  options: Omit<StrictAuthOptions, 'signIn' | 'onIssue' | 'onForget'>,
  external?: FakeExternalOAuth,
): StrictAuth {
  const app: FastifyInstance = mock.app;
  const { projectKey } = options;
  const store = mock.authStore() as unknown as {
    tokens: { access_token: string }[];
    addToken(token: object, clientId: string): void;
  };
  const internal = mock.authStore().getClientToken('embedded-front', '', `manage_project:${projectKey}`).access_token;
  const mirrored = new Set<string>();
  const externalTokens = new Set<string>();
  // The mock's own tokens (seeding, internal calls); an external token added to its store stays external.
  const ownToken = (token: string) => !externalTokens.has(token) && store.tokens.some((t) => t.access_token === token);
  const auth = new StrictAuth({
    ...options,
    // The password check of the mock's sign-in (with the Store rules of the platform patches).
    signIn: async (email, password, storeKey) => {
      const signIn = await app.inject({
        method: 'POST',
        url: `/${projectKey}${storeKey === undefined ? '' : `/in-store/key=${encodeURIComponent(storeKey)}`}/login`,
        headers: { authorization: `Bearer ${internal}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ email, password }),
      });
      return signIn.statusCode === 200 ? signIn.json<{ customer: { id: string } }>().customer.id : undefined;
    },
    onIssue: (accessToken, owner, scope) => {
      mirrored.add(accessToken);
      store.addToken(
        { access_token: accessToken, token_type: 'Bearer', expires_in: options.expiresIn(), scope },
        owner.clientId,
      );
    },
    onForget: (token) => {
      store.tokens = store.tokens.filter((t) => t.access_token !== token);
    },
  });

  const send = (reply: FastifyReply, answer: FakeAnswer) =>
    reply.status(answer.status).send(answer.body === undefined ? '' : answer.body);

  const answerAuth = async (request: FastifyRequest, reply: FastifyReply) => {
    const form = new URLSearchParams((request.body ?? {}) as Record<string, string>);
    const path = request.url.split('?')[0] ?? '';
    return send(reply, await auth.answer({ path, authorization: request.headers.authorization, form }));
  };
  // Routes the mock lacks, encapsulated: their form parser does not clash with the mock's OAuth plugin's.
  void app.register((instance, _options, done) => {
    instance.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      },
    );
    instance.post('/oauth/token/revoke', answerAuth);
    instance.post('/oauth/introspect', answerAuth);
    done();
  });

  // A token of the shop's identity provider: accepted only through the project's External OAuth. On
  // request, before the mock's own token check (which knows only tokens in its store) runs.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (external === undefined || !path.startsWith(`/${projectKey}/`)) return undefined;
    const header = request.headers.authorization ?? '';
    const bearer = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (bearer === '' || mirrored.has(bearer) || ownToken(bearer)) return undefined;
    const owner = await externalOwner(external, projectKey, bearer, options.now());
    if (owner === 'failed')
      return send(reply, apiRefusal(401, 'ExternalOAuthFailed', 'The External OAuth introspection failed.'));
    if (owner === undefined) return send(reply, invalidToken());
    const refused = endpointRefusal(projectKey, request.method, path.slice(projectKey.length + 1), owner);
    if (refused) return send(reply, refused);
    // Known to the mock for this request, so its /me routes see the customer.
    const identity = owner.customerId === undefined ? [] : [`customer_id:${owner.customerId}`];
    externalTokens.add(bearer);
    store.tokens = store.tokens.filter((t) => t.access_token !== bearer);
    store.addToken(
      { access_token: bearer, token_type: 'Bearer', expires_in: 60, scope: [...owner.scopes, ...identity].join(' ') },
      owner.clientId,
    );
    return undefined;
  });

  app.addHook('preHandler', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/oauth/')) return answerAuth(request, reply);
    if (!path.startsWith(`/${projectKey}`)) return undefined;
    const header = request.headers.authorization ?? '';
    const bearer = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!mirrored.has(bearer)) return undefined; // the mock's own tokens, or none: the mock's check answers
    const owner = auth.owner(bearer);
    if (!owner) return send(reply, invalidToken());
    const refused = endpointRefusal(projectKey, request.method, path.slice(projectKey.length + 1), owner);
    return refused ? send(reply, refused) : undefined;
  });
  return auth;
}
