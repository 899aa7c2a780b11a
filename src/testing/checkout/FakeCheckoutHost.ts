import { randomUUID } from 'node:crypto';
import { apiRefusal, invalidToken, type FakeAnswer } from '../auth/fakeAnswers';
import type { TokenOwner } from '../auth/StrictAuth';

/** A Checkout session as the fake keeps it. */
export interface FakeCheckoutSession {
  id: string;
  cartId: string;
  applicationKey: string;
  createdAt: number;
  expiresAt: number;
  /** The scopes of the token that created it, for tests that check least privilege. */
  createdWith: readonly string[];
}

export interface FakeCheckoutHostOptions {
  projectKey: string;
  now: () => number;
  /** The owner of a live access token (StrictAuth's), undefined when unknown, revoked or expired. */
  owner: (accessToken: string) => TokenOwner | undefined;
  /** Whether a cart exists and can be checked out. */
  cartExists: (cartId: string) => boolean | Promise<boolean>;
  /** A session's lifetime (default an hour, as the documented example). */
  lifetimeMs?: number;
}

/**
 * commercetools Checkout's session host (`session.{region}.commercetools.com`) as the platform
 * documents it: `POST /{projectKey}/sessions` creates a session for a cart and an application with a
 * token holding `manage_sessions` (403 without), `POST /{projectKey}/sessions/{id}` with the
 * `refresh` action extends it, an expired one answers `ExpiredSession`. It knows nothing of HTTP.
 */
export class FakeCheckoutHost {
  readonly #o: FakeCheckoutHostOptions;
  readonly sessions = new Map<string, FakeCheckoutSession>();

  constructor(options: FakeCheckoutHostOptions) {
    this.#o = options;
  }

  async answer(request: {
    method: string;
    path: string;
    authorization: string | undefined;
    json: unknown;
  }): Promise<FakeAnswer> {
    const owner = this.#o.owner((request.authorization ?? '').replace(/^Bearer /, ''));
    if (owner === undefined) return invalidToken();
    const base = `/${this.#o.projectKey}/sessions`;
    if (request.method !== 'POST' || !request.path.startsWith(base))
      return apiRefusal(404, 'ResourceNotFound', `No Checkout endpoint ${request.method} ${request.path}.`);
    if (!owner.scopes.includes(`manage_sessions:${this.#o.projectKey}`))
      return apiRefusal(
        403,
        'insufficient_scope',
        'Insufficient scope. One of the following scopes is missing: manage_sessions.',
      );
    const id = request.path.slice(base.length + 1);
    return id === '' ? this.#create(request.json, owner) : this.#refresh(decodeURIComponent(id), request.json);
  }

  /** Ends a session now, as its expiry would. */
  expire(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (session) session.expiresAt = this.#o.now();
  }

  async #create(body: unknown, owner: TokenOwner): Promise<FakeAnswer> {
    const draft = body as
      { cart?: { cartRef?: { id?: unknown } }; metadata?: { applicationKey?: unknown } } | undefined;
    const cartId = draft?.cart?.cartRef?.id;
    const applicationKey = draft?.metadata?.applicationKey;
    if (typeof cartId !== 'string' || typeof applicationKey !== 'string')
      return apiRefusal(400, 'InvalidInput', 'A session needs cart.cartRef.id and metadata.applicationKey.');
    if (!(await this.#o.cartExists(cartId)))
      return apiRefusal(400, 'CartNotFound', `The cart ${cartId} was not found.`);
    const now = this.#o.now();
    const session: FakeCheckoutSession = {
      id: randomUUID(),
      cartId,
      applicationKey,
      createdAt: now,
      expiresAt: now + (this.#o.lifetimeMs ?? 3_600_000),
      createdWith: [...owner.scopes],
    };
    this.sessions.set(session.id, session);
    return { status: 201, body: this.#render(session) };
  }

  #refresh(id: string, body: unknown): FakeAnswer {
    const session = this.sessions.get(id);
    if (session === undefined) return apiRefusal(404, 'ResourceNotFound', `The session ${id} was not found.`);
    const actions = (body as { actions?: unknown } | undefined)?.actions;
    if (!Array.isArray(actions) || actions.length !== 1 || (actions[0] as { action?: unknown })?.action !== 'refresh')
      return apiRefusal(400, 'InvalidInput', 'The only update action is refresh.');
    const now = this.#o.now();
    if (session.expiresAt <= now) return apiRefusal(400, 'ExpiredSession', `The session ${id} expired.`);
    session.expiresAt = now + (this.#o.lifetimeMs ?? 3_600_000);
    return { status: 200, body: this.#render(session) };
  }

  #render(s: FakeCheckoutSession): Record<string, unknown> {
    return {
      id: s.id,
      expiryAt: new Date(s.expiresAt).toISOString(),
      createdAt: new Date(s.createdAt).toISOString(),
      lastModifiedAt: new Date(this.#o.now()).toISOString(),
      metadata: { applicationKey: s.applicationKey },
      activeCart: { cartRef: { id: s.cartId } },
      state: s.expiresAt > this.#o.now() ? 'ACTIVE' : 'EXPIRED',
    };
  }
}
