import type { Scheduler } from 'fast-check';
import { parseStoredToken, type CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession, type StoredSession } from '../../../src/auth/StoredSession';
import type { OAuthClient } from '../../../src/auth/OAuthClient';
import type { TokenIssuer } from '../../../src/auth/TokenIssuer';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpInvalidCredentialsError } from '../../../src/errors/CtpInvalidCredentialsError';
import { CtpOAuthError } from '../../../src/errors/CtpOAuthError';
import { CtpAccountError } from '../../../src/errors/CtpAccountError';
import type { AccountBackend } from '../../../src/session/account/AccountBackend';
import type { CustomerSignIn, SignInRequest } from '../../../src/session/CustomerSignIn';
import type { AnySessionStorage } from '../../../src/session/fromLegacyStorage';
import { sameStoredSession } from '../../../src/session/SessionStorage';

const HOUR = 3_600_000;

interface Lineage {
  kind: 'anonymous' | 'customer';
  customerId?: string;
  anonymousId?: string;
  revoked: boolean;
}

/**
 * A commercetools auth model whose every call is a step of a fast-check scheduler, so a test can
 * explore the orders in which grants, refreshes, revocations, sign-ins and storage calls finish.
 * It keeps the truth the session's guarantees are judged against: which tokens were ever issued,
 * which still answer the API, and who owns the anonymous cart. Revoking a refresh token does not
 * cascade to its access tokens (the documentation does not promise it).
 */
export class ScheduledPlatform {
  readonly refreshTokens = new Map<string, Lineage>();
  /** access token -> its refresh token (lineage) and whether it was revoked */
  readonly accessTokens = new Map<string, { refreshToken: string; revoked: boolean }>();
  readonly customers = new Map([
    ['alice@example.com', 'customer-alice'],
    ['bob@example.com', 'customer-bob'],
  ]);
  /** email -> password; 'right' unless changed or reset. */
  readonly passwords = new Map<string, string>();
  /** anonymousId -> owner of that anonymous session's cart (the anonymousId, or a customer id once moved). */
  readonly carts = new Map<string, string>();
  #seq = 0;

  constructor(
    private readonly s: Scheduler,
    private readonly now: () => number,
  ) {}

  /** Issues a pair outside the scheduler: the state a test starts from. */
  issue(kind: 'anonymous' | 'customer', customerId?: string): CtpAuthToken {
    const n = (this.#seq += 1);
    const refreshToken = `rt-${n}`;
    const accessToken = `at-${n}-0`;
    const identity =
      kind === 'customer' ? { customerId: customerId ?? 'customer-alice' } : { anonymousId: `anon-${n}` };
    this.refreshTokens.set(refreshToken, { kind, ...identity, revoked: false });
    this.accessTokens.set(accessToken, { refreshToken, revoked: false });
    const issuedAt = this.now();
    return { kind, accessToken, refreshToken, issuedAt, expiresAt: issuedAt + HOUR, scopes: ['scope'], ...identity };
  }

  isLive(accessToken: string): boolean {
    const access = this.accessTokens.get(accessToken);
    return access !== undefined && !access.revoked;
  }

  /** Every token ever issued that still answers, but for those in `kept`. */
  liveTokensBut(kept: CtpAuthToken | undefined): string[] {
    const live: string[] = [];
    for (const [token, access] of this.accessTokens)
      if (!access.revoked && token !== kept?.accessToken) live.push(token);
    for (const [token, lineage] of this.refreshTokens)
      if (!lineage.revoked && token !== kept?.refreshToken) live.push(token);
    return live;
  }

  /** The three TokenIssuer calls CtpSession makes, each a scheduled step. */
  tokenIssuer(): TokenIssuer {
    const anonymous = this.s.scheduleFunction(async () => this.issue('anonymous'));
    // Steps answer with a result or an error value: a scheduled step that rejects leaves fast-check's
    // own report promise unhandled.
    const customerStep = this.s.scheduleFunction(
      async (credentials: { email: string; password: string }): Promise<CtpAuthToken | Error> => {
        const customerId = this.customers.get(credentials.email);
        if (customerId === undefined || credentials.password !== this.password(credentials.email))
          return new CtpInvalidCredentialsError({ status: 400 });
        return this.issue('customer', customerId);
      },
    );
    const refreshStep = this.s.scheduleFunction(async (token: CtpAuthToken): Promise<CtpAuthToken | Error> => {
      const lineage = this.refreshTokens.get(token.refreshToken);
      if (lineage === undefined || lineage.revoked) {
        return new CtpOAuthError(CtpErrorCode.AuthRejected, 'The auth server rejected the refresh_token request.', {
          status: 400,
          error: 'invalid_grant',
          flow: 'refresh_token',
        });
      }
      const accessToken = `at-${token.refreshToken.slice(3)}-${(this.#seq += 1)}`;
      this.accessTokens.set(accessToken, { refreshToken: token.refreshToken, revoked: false });
      const issuedAt = this.now();
      return { ...token, accessToken, issuedAt, expiresAt: issuedAt + HOUR };
    });
    const customer = async (credentials: { email: string; password: string }) =>
      orThrow(await customerStep(credentials));
    const refresh = async (token: CtpAuthToken) => orThrow(await refreshStep(token));
    return { anonymous: () => anonymous(), customer, refresh } as unknown as TokenIssuer;
  }

  oauthClient(): OAuthClient {
    const revoke = this.s.scheduleFunction(async (token: string, _hint: string) => {
      const access = this.accessTokens.get(token);
      if (access) access.revoked = true;
      const lineage = this.refreshTokens.get(token);
      if (lineage) lineage.revoked = true;
    });
    return { revoke } as unknown as OAuthClient;
  }

  password(email: string): string {
    return this.passwords.get(email) ?? 'right';
  }

  /**
   * The account calls, each a scheduled step: sign-up creates the customer (the cart moves by the
   * backend sign-in, as for login); a
   * password change does not invalidate tokens (the documentation does not say it does: the
   * library must revoke them itself); a reset revokes every token of the customer, as the platform does.
   */
  accountBackend(): AccountBackend {
    const createStep = this.s.scheduleFunction(
      async (draft: { email: string; password: string }): Promise<{ customerId: string } | Error> => {
        if (this.customers.has(draft.email))
          return new CtpAccountError(CtpErrorCode.EmailTaken, 'taken', { status: 400 });
        const customerId = `customer-${draft.email.split('@')[0]}`;
        this.customers.set(draft.email, customerId);
        this.passwords.set(draft.email, draft.password);
        return { customerId };
      },
    );
    const changeStep = this.s.scheduleFunction(
      async (accessToken: string, current: string, next: string): Promise<{ email: string } | Error> => {
        const access = this.accessTokens.get(accessToken);
        const lineage = access && this.refreshTokens.get(access.refreshToken);
        if (!access || access.revoked || lineage?.customerId === undefined)
          return new CtpOAuthError(CtpErrorCode.AuthRejected, 'invalid_token', {
            status: 401,
            error: 'invalid_token',
            flow: 'refresh_token',
          });
        const email = [...this.customers].find(([, id]) => id === lineage.customerId)![0];
        if (current !== this.password(email)) return new CtpInvalidCredentialsError({ status: 400 });
        this.passwords.set(email, next);
        return { email };
      },
    );
    const resetStep = this.s.scheduleFunction(
      async (_tokenValue: string, next: string): Promise<{ customerId: string } | Error> => {
        this.passwords.set('alice@example.com', next);
        this.revokeCustomer('customer-alice');
        return { customerId: 'customer-alice' };
      },
    );
    return {
      createCustomer: async (draft) => orThrow(await createStep(draft)),
      changeMyPassword: async (accessToken, current, next) => orThrow(await changeStep(accessToken, current, next)),
      resetPassword: async (tokenValue, next) => orThrow(await resetStep(tokenValue, next)),
    } as Partial<AccountBackend> as AccountBackend;
  }

  /** What a password reset does on the platform: every access and refresh token of the customer stops answering. */
  revokeCustomer(customerId: string): void {
    for (const [refreshToken, lineage] of this.refreshTokens) {
      if (lineage.customerId !== customerId) continue;
      lineage.revoked = true;
      for (const access of this.accessTokens.values()) if (access.refreshToken === refreshToken) access.revoked = true;
    }
  }

  /** The backend sign-in: moves the anonymous session's cart to the customer, if still anonymous. */
  customerSignIn(): CustomerSignIn {
    const signInStep = this.s.scheduleFunction(async (request: SignInRequest): Promise<undefined | Error> => {
      const customerId = this.customers.get(request.email);
      if (customerId === undefined) return new CtpInvalidCredentialsError({ status: 400 });
      if (this.carts.get(request.anonymousId) === request.anonymousId) this.carts.set(request.anonymousId, customerId);
      return undefined;
    });
    return {
      prepare: async () => undefined,
      signIn: async (request: SignInRequest) => orThrow(await signInStep(request)),
    } as unknown as CustomerSignIn;
  }
}

function orThrow<T>(answer: T | Error): T {
  if (answer instanceof Error) throw answer;
  return answer;
}

/**
 * A session store shared by every request of one session (as RedisSessionStorage is), whose
 * calls finish when the scheduler says. Of today's contract (get/compareAndSet on the stored form)
 * when `atomic`, as Memory and Redis storages are; else a plain app storage of the earlier contract
 * (get/set/clear on full tokens), which the library adapts (fromLegacyStorage).
 */
export function scheduledStorage(
  s: Scheduler,
  id: string,
  atomic: boolean,
): AnySessionStorage & { raw(): CtpAuthToken | undefined; seed(token: CtpAuthToken): void } {
  if (!atomic) {
    let token: CtpAuthToken | undefined;
    return {
      id,
      raw: () => parseStoredToken(token),
      seed: (next: CtpAuthToken) => {
        token = next;
      },
      get: s.scheduleFunction(async function get() {
        return token;
      }),
      set: s.scheduleFunction(async function set(next: CtpAuthToken) {
        token = next;
      }),
      clear: s.scheduleFunction(async function clear() {
        token = undefined;
      }),
    };
  }
  let value: StoredSession | undefined;
  return {
    id,
    raw: () => parseStoredToken(value),
    seed: (token: CtpAuthToken) => {
      value = toStoredSession(token);
    },
    get: s.scheduleFunction(async function get() {
      return value;
    }),
    compareAndSet: s.scheduleFunction(async function compareAndSet(
      expected: StoredSession | undefined,
      next: StoredSession | undefined,
    ) {
      if (!sameStoredSession(value, expected)) return false;
      value = next;
      return true;
    }),
  };
}
