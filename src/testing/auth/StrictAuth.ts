import { randomBytes, randomUUID } from 'node:crypto';
import { KNOWN_SCOPE_NAMES } from '../../scopes/knownScopes';
import { oauthRefusal, type FakeAnswer } from './fakeAnswers';

/**
 * The commercetools auth host as the platform behaves, shared by every fake of ctp-client/testing
 * (the mocked fetch, the embedded server) and the library's own tests: client credentials checked
 * exactly (401 invalid_client), every scope asked checked against what the API client holds (400
 * invalid_scope), expiring access tokens, refresh without rotation, and revocation of an access
 * token and of a refresh token each on its own (RFC 7009 leaves the cascade open, so the fake
 * promises none). It knows nothing of HTTP: a transport hands it the request's parts.
 */

/** An API client the auth host knows. */
export interface FakeApiClient {
  id: string;
  secret: string;
  /**
   * The scope names it holds (without `:projectKey`); undefined: every scope, granted as asked. A
   * client holding `manage_project` gets it on every token, as on the platform.
   */
  scopes?: readonly string[];
}

/** Who an access token belongs to, and what it may do. */
export interface TokenOwner {
  kind: 'client' | 'anonymous' | 'customer';
  clientId: string;
  /** The granted scopes (`name:projectKey` or `name:projectKey:storeKey`), without identity entries. */
  scopes: string[];
  customerId?: string;
  anonymousId?: string;
  /** The Store of an in-store password grant. */
  storeKey?: string;
  /** The refresh token the access token was minted from (shopper tokens). */
  refreshToken?: string;
}

export interface AuthRequest {
  path: string;
  /** The Authorization header, as sent. */
  authorization: string | undefined;
  form: URLSearchParams;
}

export type AuthFlow = 'client_credentials' | 'anonymous' | 'password' | 'refresh_token' | 'revoke' | 'introspect';

export interface StrictAuthOptions {
  projectKey: string;
  clients: readonly FakeApiClient[];
  now: () => number;
  /** Access-token lifetime in seconds. */
  expiresIn: () => number;
  /** Checks a password grant's credentials (in a Store for an in-store grant): the customer's id, or undefined. */
  signIn: (
    email: string,
    password: string,
    storeKey: string | undefined,
  ) => Promise<string | undefined> | string | undefined;
  /**
   * How a grant answers a Store scope asked (`name:project:store`): as asked, as the platform answers
   * a client holding the plain scope (`plain`), or both forms. The platform does not document it.
   */
  storeScopeAnswer?: () => 'asked' | 'plain' | 'both';
  /** How new tokens and anonymous ids look (default: 32 random token characters, a UUID). */
  ids?: { access(): string; refresh(): string; anonymous(): string };
  /** Told of every access token issued and every token forgotten (the embedded server mirrors them). */
  onIssue?: (accessToken: string, owner: TokenOwner, scope: string) => void;
  onForget?: (token: string) => void;
}

interface Access extends TokenOwner {
  expiresAt: number;
}

/** The flow of an auth-host request, as the platform routes it. */
export function authFlowOf(projectKey: string, path: string, form: URLSearchParams): AuthFlow | undefined {
  if (path === '/oauth/token/revoke') return 'revoke';
  if (path === '/oauth/introspect') return 'introspect';
  if (path === '/oauth/token')
    return form.get('grant_type') === 'refresh_token' ? 'refresh_token' : 'client_credentials';
  if (path === `/oauth/${projectKey}/anonymous/token`) return 'anonymous';
  if (new RegExp(`^/oauth/${projectKey}(?:/in-store/key=[^/]+)?/customers/token$`).test(path)) return 'password';
  return undefined;
}

export class StrictAuth {
  readonly #o: StrictAuthOptions;
  readonly #access = new Map<string, Access>();
  readonly #refresh = new Map<string, TokenOwner>();
  readonly #anonymousIds = new Set<string>();
  /** Every access and refresh token issued, so a test can check that none leaks anywhere. */
  readonly issued: string[] = [];

  constructor(options: StrictAuthOptions) {
    this.#o = options;
  }

  /** Every access token issued and not revoked (expired ones too), with its owner and expiry. */
  get accessTokens(): ReadonlyMap<string, TokenOwner & { expiresAt: number }> {
    return this.#access;
  }

  /** Every refresh token that still refreshes, with its owner. */
  get refreshTokens(): ReadonlyMap<string, TokenOwner> {
    return this.#refresh;
  }

  /** The owner of a live access token: undefined when unknown, revoked or expired. */
  owner(accessToken: string): TokenOwner | undefined {
    const access = this.#access.get(accessToken);
    if (!access || access.expiresAt <= this.#o.now()) return undefined;
    return { ...access, expiresAt: undefined } as TokenOwner;
  }

  /** Whether a refresh token still refreshes. */
  refreshes(refreshToken: string): boolean {
    return this.#refresh.has(refreshToken);
  }

  /** Revokes one access or refresh token, and only that one. */
  revoke(token: string): void {
    if (this.#access.delete(token) || this.#refresh.delete(token)) this.#o.onForget?.(token);
  }

  /** Revokes every token of a customer, as a password reset does on the platform. */
  revokeCustomer(customerId: string): void {
    for (const [token, owner] of [...this.#access, ...this.#refresh])
      if (owner.customerId === customerId) this.revoke(token);
  }

  async answer(request: AuthRequest): Promise<FakeAnswer> {
    const client = this.#client(request.authorization);
    if (!client)
      return oauthRefusal(
        401,
        'invalid_client',
        'Please provide valid client credentials using HTTP Basic Authentication.',
      );
    const { form, path } = request;
    switch (authFlowOf(this.#o.projectKey, path, form)) {
      case 'revoke':
        return this.#revokeAnswer(client, form.get('token') ?? '');
      case 'introspect':
        return this.#introspect(form.get('token') ?? '');
      case 'refresh_token':
        return this.#refreshAnswer(client, form.get('refresh_token') ?? '');
      case 'client_credentials':
        if (form.get('grant_type') !== 'client_credentials') break;
        return this.#grant(client, form.get('scope'), { kind: 'client', clientId: client.id, scopes: [] }, false);
      case 'anonymous': {
        if (form.get('grant_type') !== 'client_credentials') break;
        if (!this.#holds(client, 'create_anonymous_token'))
          return oauthRefusal(400, 'invalid_scope', 'The API client lacks the create_anonymous_token scope.');
        const anonymousId = form.get('anonymous_id') ?? this.#o.ids?.anonymous() ?? randomUUID();
        if (this.#anonymousIds.has(anonymousId))
          return oauthRefusal(400, 'invalid_request', 'The anonymous_id is already in use.');
        const owner: TokenOwner = { kind: 'anonymous', clientId: client.id, scopes: [], anonymousId };
        const answer = this.#grant(client, form.get('scope'), owner, true);
        if (answer.status === 200) this.#anonymousIds.add(anonymousId);
        return answer;
      }
      case 'password': {
        if (form.get('grant_type') !== 'password') break;
        const storeKey = path.match(/\/in-store\/key=([^/]+)\//)?.[1];
        const store = storeKey === undefined ? undefined : decodeURIComponent(storeKey);
        const customerId = await this.#o.signIn(form.get('username') ?? '', form.get('password') ?? '', store);
        if (customerId === undefined)
          return oauthRefusal(
            400,
            'invalid_customer_account_credentials',
            'Customer account with the given credentials not found.',
          );
        const owner: TokenOwner = {
          kind: 'customer',
          clientId: client.id,
          scopes: [],
          customerId,
          ...(store ? { storeKey: store } : {}),
        };
        return this.#grant(client, form.get('scope'), owner, true);
      }
      default:
        break;
    }
    return oauthRefusal(
      400,
      'unsupported_grant_type',
      `Invalid grant type: ${form.get('grant_type') ?? '(none)'} on ${path}.`,
    );
  }

  #client(authorization: string | undefined): FakeApiClient | undefined {
    if (!authorization?.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString();
    const at = decoded.indexOf(':');
    if (at < 0) return undefined;
    // RFC 6749 2.3.1: both parts form-urlencoded before they are joined.
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    const [id, secret] = [decode(decoded.slice(0, at)), decode(decoded.slice(at + 1))];
    return this.#o.clients.find((c) => c.id === id && c.secret === secret);
  }

  #holds(client: FakeApiClient, name: string): boolean {
    return client.scopes === undefined || client.scopes.includes('manage_project') || client.scopes.includes(name);
  }

  /** The scopes granted for `requested`, or the platform's invalid_scope refusal. */
  #scopes(client: FakeApiClient, requested: string | null): string[] | FakeAnswer {
    const project = this.#o.projectKey;
    if (requested === null || requested.trim() === '')
      return client.scopes === undefined ? [`manage_project:${project}`] : client.scopes.map((s) => `${s}:${project}`);
    const asked = requested.split(' ').filter((s) => s !== '');
    for (const scope of asked) {
      const [name = '', key, store, ...rest] = scope.split(':');
      const wellFormed = key === project && rest.length === 0 && (store === undefined || /^[\w-]+$/.test(store));
      if (!wellFormed || !KNOWN_SCOPE_NAMES.has(name) || !this.#holds(client, name)) {
        const held = client.scopes === undefined ? 'every scope' : client.scopes.join(', ');
        return oauthRefusal(
          400,
          'invalid_scope',
          `Permissions exceeded (${scope}). Only the following permissions can be requested: ${held}.`,
        );
      }
    }
    // The platform does not narrow a manage_project client's tokens: they hold manage_project whatever was asked.
    if (client.scopes?.includes('manage_project')) return [`manage_project:${project}`];
    const mode = this.#o.storeScopeAnswer?.() ?? 'asked';
    if (mode === 'asked') return asked;
    const plain = (scope: string) => scope.split(':').slice(0, 2).join(':');
    return [...new Set(asked.flatMap((s) => (plain(s) === s ? [s] : mode === 'plain' ? [plain(s)] : [plain(s), s])))];
  }

  #grant(client: FakeApiClient, requested: string | null, owner: TokenOwner, withRefresh: boolean): FakeAnswer {
    const scopes = this.#scopes(client, requested);
    if (!Array.isArray(scopes)) return scopes;
    const granted: TokenOwner = { ...owner, scopes };
    if (withRefresh) {
      const refreshToken = `${this.#o.projectKey}:${this.#o.ids?.refresh() ?? this.#token()}`;
      this.issued.push(refreshToken);
      granted.refreshToken = refreshToken;
      this.#refresh.set(refreshToken, granted);
    }
    return this.#issue(granted, withRefresh);
  }

  #issue(owner: TokenOwner, withRefresh: boolean): FakeAnswer {
    const accessToken = this.#o.ids?.access() ?? this.#token();
    this.issued.push(accessToken);
    const expiresIn = this.#o.expiresIn();
    this.#access.set(accessToken, { ...owner, expiresAt: this.#o.now() + expiresIn * 1000 });
    const identity = owner.customerId
      ? [`customer_id:${owner.customerId}`]
      : owner.anonymousId
        ? [`anonymous_id:${owner.anonymousId}`]
        : [];
    const scope = [...owner.scopes, ...identity].join(' ');
    this.#o.onIssue?.(accessToken, owner, scope);
    return {
      status: 200,
      body: {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: expiresIn,
        scope,
        ...(withRefresh && owner.refreshToken ? { refresh_token: owner.refreshToken } : {}),
      },
    };
  }

  #refreshAnswer(client: FakeApiClient, refreshToken: string): FakeAnswer {
    const owner = this.#refresh.get(refreshToken);
    if (!owner || owner.clientId !== client.id)
      return oauthRefusal(400, 'invalid_grant', 'The refresh token was not found. It may have expired.');
    // No refresh_token in the answer: the platform does not rotate them.
    return this.#issue(owner, false);
  }

  #revokeAnswer(client: FakeApiClient, token: string): FakeAnswer {
    // Tokens of another client are not revoked; the answer is 200 either way (RFC 7009).
    const owner = this.#access.get(token) ?? this.#refresh.get(token);
    if (owner?.clientId === client.id) this.revoke(token);
    return { status: 200, body: undefined };
  }

  #introspect(token: string): FakeAnswer {
    const access = this.#access.get(token);
    if (!access || access.expiresAt <= this.#o.now()) return { status: 200, body: { active: false } };
    return {
      status: 200,
      body: { active: true, scope: access.scopes.join(' '), exp: Math.floor(access.expiresAt / 1000) },
    };
  }

  #token(): string {
    // Token-charset only (RFC 6750 b64token), like the platform's; 32 characters as the platform's.
    return randomBytes(24).toString('base64url').slice(0, 32);
  }
}
