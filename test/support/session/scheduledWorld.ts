import type { Scheduler } from 'fast-check';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { wireCtpServices } from '../../../src/module/createCtpServices';
import type { ShopperSession } from '../../../src/session/ShopperSession';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import type { AnySessionStorage } from '../../../src/session/fromLegacyStorage';
import { createMockCommercetools, type MockCommercetools } from '../../../src/testing';
import { silentLogger } from '../../../src/util/Logger';

export const PASSWORD = 'right';
const CUSTOMERS = ['alice@example.com', 'bob@example.com'];

/**
 * The world the interleaving tests explore: the strict mocked commercetools of ctp-client/testing,
 * every request to which finishes when a fast-check scheduler says, and library instances wired as
 * an app's are (wireCtpServices), all on one session storage. The truth a session's guarantees are
 * judged against is the mock's (which tokens were revoked, who owns a cart, each customer's password)
 * and what the auth host answered (which refresh token each access token descends from).
 */
export class ScheduledWorld {
  readonly mock: MockCommercetools;
  /** access token -> the refresh token it was issued with or refreshed from (shopper tokens only). */
  readonly #lineage = new Map<string, string>();
  /** Every access and refresh token of a shopper grant or refresh (not the integration's). */
  readonly #shopperTokens = new Set<string>();
  readonly #anonymousLineages = new Set<string>();
  readonly #resetTokens: string[] = [];
  #cartId: string | undefined;

  constructor(
    private readonly s: Scheduler,
    private readonly now: () => number,
  ) {
    this.mock = createMockCommercetools({
      customers: CUSTOMERS.map((email) => ({ email, password: PASSWORD, id: `customer-${email.split('@')[0]}` })),
      expiresIn: 3_600,
      now,
    });
  }

  /** A library instance whose requests finish in the scheduler's order, on `storage`. */
  instance(storage: AnySessionStorage): ShopperSession {
    return this.#wire(this.s.scheduleFunction(this.#observed), storage);
  }

  /**
   * Brings a session to `start` outside the scheduler, as the library itself would (an anonymous
   * shopper with a cart, or alice signed in), and gets a password reset token for alice.
   */
  async seed(start: 'empty' | 'anonymous' | 'customer'): Promise<CtpAuthToken | undefined> {
    const storage = new MemorySessionStorage('seed');
    const session = this.#wire(this.#observed, storage);
    await session.requestPasswordReset('alice@example.com');
    if (start === 'anonymous') {
      const token = await session.ensureAnonymous();
      const cart = await this.mock.fetch(`${this.mock.env.CTP_API_URL}/${this.mock.projectKey}/me/carts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ currency: 'EUR' }),
      });
      if (cart.status !== 201) throw new Error(`the seed cart was refused (${cart.status})`);
      this.#cartId = ((await cart.json()) as { id: string }).id;
    }
    if (start === 'customer') await session.login('alice@example.com', PASSWORD);
    return start === 'empty' ? undefined : session.current();
  }

  /** The reset token seed() asked for. */
  get resetToken(): string {
    return this.#resetTokens[0]!;
  }

  /** Every shopper token issued that still works (mock.isLive), but those of `kept`. */
  liveTokensBut(kept: CtpAuthToken | undefined): string[] {
    return [...this.#shopperTokens].filter(
      (t) => this.mock.isLive(t) && t !== kept?.accessToken && t !== kept?.refreshToken,
    );
  }

  isLive(token: string): boolean {
    return this.mock.isLive(token);
  }

  /** The refresh token an access token was issued with or refreshed from. */
  lineageOf(accessToken: string): string | undefined {
    return this.#lineage.get(accessToken);
  }

  /** The refresh tokens of anonymous grants. */
  get anonymousLineages(): string[] {
    return [...this.#anonymousLineages];
  }

  customerId(email: string): string | undefined {
    return this.mock.customers.find((c) => c.email === email)?.id;
  }

  passwordOf(customerId: string): string | undefined {
    return this.mock.customers.find((c) => c.id === customerId)?.password;
  }

  /**
   * Who owns the cart seed() created for the anonymous shopper, as the API answers the integration:
   * the customer it moved to at a sign-in or sign-up, or still the anonymous id.
   */
  async cartOwner(): Promise<string | undefined> {
    const api = `${this.mock.env.CTP_API_URL}/${this.mock.projectKey}`;
    const grant = await this.mock.fetch(`${this.mock.env.CTP_AUTH_URL}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${this.mock.env.CTP_CLIENT_ID}:${this.mock.env.CTP_CLIENT_SECRET}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=view_orders:' + this.mock.projectKey,
    });
    const { access_token } = (await grant.json()) as { access_token: string };
    const cart = await this.mock.fetch(`${api}/carts/${this.#cartId!}`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    const body = (await cart.json()) as { customerId?: string; anonymousId?: string };
    return body.customerId ?? body.anonymousId;
  }

  #wire(fetch: (input: string, init?: RequestInit) => Promise<Response>, storage: AnySessionStorage): ShopperSession {
    return wireCtpServices(loadCtpConfig(this.mock.env), {
      fetch,
      clock: { now: this.now },
      logger: silentLogger,
      sessionStorage: () => storage,
      passwordResetFloorMs: 1,
      sendToken: async ({ tokenValue }) => {
        this.#resetTokens.push(tokenValue);
      },
    }).session;
  }

  /** The mock's fetch, noting which refresh token each access token it hands out descends from. */
  readonly #observed = async (input: string, init?: RequestInit): Promise<Response> => {
    const response = await this.mock.fetch(input, init);
    const { pathname } = new URL(input);
    if (response.status !== 200 || !pathname.startsWith('/oauth/') || pathname.endsWith('/revoke')) return response;
    const answer = (await response.clone().json()) as { access_token: string; refresh_token?: string };
    const form = new URLSearchParams(
      typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body : '',
    );
    const refreshToken = answer.refresh_token ?? form.get('refresh_token') ?? undefined;
    if (refreshToken === undefined) return response;
    this.#lineage.set(answer.access_token, refreshToken);
    this.#shopperTokens.add(answer.access_token).add(refreshToken);
    if (pathname.endsWith('/anonymous/token') && answer.refresh_token)
      this.#anonymousLineages.add(answer.refresh_token);
    return response;
  };
}
