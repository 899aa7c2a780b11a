import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { externalOwner, type FakeExternalOAuth } from '../../../src/testing/auth/ExternalOAuth';
import { apiRefusal, toResponse } from '../../../src/testing/auth/fakeAnswers';
import { authFlowOf, StrictAuth, type FakeApiClient, type TokenOwner } from '../../../src/testing/auth/StrictAuth';
import type { MockAccountCustomer } from '../../../src/testing/mock/mockApi';
import type { MockCategory, MockProduct } from '../../../src/testing/mock/MockCatalog';
import { MockPlatformApi } from '../../../src/testing/mock/MockPlatformApi';

/**
 * A strict local commercetools (auth and API on one node http server, 127.0.0.1, port 0) for the
 * library's reliability tests. It is ctp-client/testing's model of the platform, the very one the
 * shipped mock answers with: StrictAuth on the auth host (client secrets, scopes, expiry, independent
 * revocation), MockPlatformApi on the API host (per-endpoint scopes, accounts, Stores, associates,
 * catalogue, carts, orders, `/login`). Around it this adds what only the library's own tests need:
 * counters, and faults injected on the auth and API hosts (pages, redirects, gzip bombs, hangs, resets).
 */
export type Fault =
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'html502' }
  | { kind: 'truncated' }
  | { kind: 'hang' }
  /** Answers normally once `release` settles: a slow auth host, with the test deciding how slow. */
  | { kind: 'slow'; release: Promise<unknown>; onHold?: () => void }
  | { kind: 'reset' };

export type Flow = 'client_credentials' | 'password' | 'anonymous' | 'refresh_token' | 'revoke' | 'introspect';

/** Hostile or broken answers of the auth host, injected per grant type (see `failFlow`). */
export type AuthAnswerFault =
  /** A proxy's or WAF's HTML page with this status. */
  | { kind: 'page'; status: number; headers?: Record<string, string> }
  /** A redirect (307/308 keep method and body) to `location`, e.g. another local server. */
  | { kind: 'redirect'; status: 301 | 302 | 303 | 307 | 308; location: string }
  /** A 200 JSON answer of `bytes` bytes; with `declareLength` false it is chunked, with no Content-Length. */
  | { kind: 'oversized'; bytes: number; declareLength: boolean }
  /** A gzip answer of `members` gzip members of 1 MiB of zeros each (~1 KiB each on the wire), chunked. */
  | { kind: 'gzipBomb'; members: number }
  /** The real answer of the grant, with its JSON fields changed by `patch` (a CR/LF token, a 5 MB token, another customer...). */
  | { kind: 'patchAnswer'; patch: (answer: Record<string, unknown>) => Record<string, unknown> };

/** What the last gzip bomb managed to send before the client stopped reading. */
export interface GzipBombStats {
  membersSent: number;
  bytesSent: number;
  /** True if the whole bomb was written: the client read it all. */
  completed: boolean;
}

export interface ApiCallRecord {
  method: string;
  path: string;
  status: number;
  kind: 'client' | 'anonymous' | 'customer' | 'none';
  customerId?: string;
  anonymousId?: string;
  /** The `x-session` header a test may send to check who the call was for. */
  sessionTag?: string;
  /** The X-Correlation-ID and User-Agent headers the request came with. */
  correlationId?: string;
  userAgent?: string;
  /** The X-External-User-ID header (customer service attribution), when sent. */
  externalUserId?: string;
}

/** A fault the API host (not auth) applies to one request, in order (see `failApiRequests`). */
export type ApiFault =
  /** A JSON error answer with this status (502, 503, 504, 429...) and optional headers (Retry-After). */
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  /** A proxy's HTML error page. */
  | { kind: 'page'; status: number }
  /** The connection is destroyed after the request was read: it may have reached the platform. */
  | { kind: 'reset' };

/**
 * The catalogue the library's tests read: categories `c0`...`c4`, and products with the SKUs `A`
 * and `B` priced in EUR, for carts' line items.
 */
const CATEGORIES: MockCategory[] = [0, 1, 2, 3, 4].map((i) => ({
  id: `c${i}`,
  key: `category-${i}`,
  name: `Category ${i}`,
}));
const PRODUCTS: MockProduct[] = ['A', 'B'].map((sku) => ({
  key: `product-${sku.toLowerCase()}`,
  name: `Product ${sku}`,
  masterVariant: { sku, prices: [{ currencyCode: 'EUR', centAmount: 1_000 }] },
}));

export class StrictCommercetools {
  readonly projectKey: string;
  readonly #clients: FakeApiClient[] = [];
  /** The customers, shared with the kit's MockAccounts (sign-ups add to it, password changes write to it). */
  readonly customers: MockAccountCustomer[] = [];
  readonly grants: Record<Flow, number> = {
    client_credentials: 0,
    password: 0,
    anonymous: 0,
    refresh_token: 0,
    revoke: 0,
    introspect: 0,
  };
  /** Refresh grants per refresh token: one per session per expiry is the target. */
  readonly refreshesBySession = new Map<string, number>();
  readonly apiCalls: ApiCallRecord[] = [];
  /** Reset and verification token values issued (the auth host's tokens are in StrictAuth.issued). */
  readonly #accountSecrets: string[] = [];
  /** Faults applied, one each, to the next auth-host requests. */
  readonly authFaults: Fault[] = [];
  accessTokenTtlSeconds = 3600;
  /**
   * How a grant answers a Store-scoped scope asked (`name:project:store`): as asked, or as the platform
   * answers an API client that holds the plain scope (`plain`), or both forms. What the platform
   * answers is undocumented (shared/reference/commercetools-platform-2026.md): the library accepts all three.
   */
  storeScopeAnswer: 'asked' | 'plain' | 'both' = 'asked';
  /** The project's External OAuth: how a bearer token the auth host did not issue is introspected (unset: refused). */
  externalOAuth: FakeExternalOAuth | undefined;
  now: () => number;
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  #hung: ServerResponse[] = [];
  url = '';

  readonly #auth: StrictAuth;
  readonly #platform: MockPlatformApi;

  constructor(
    options: { projectKey?: string; now?: () => number; categories?: MockCategory[]; products?: MockProduct[] } = {},
  ) {
    this.projectKey = options.projectKey ?? 'strict-project';
    this.now = options.now ?? (() => Date.now());
    this.#auth = new StrictAuth({
      projectKey: this.projectKey,
      clients: this.#clients,
      now: () => this.now(),
      expiresIn: () => this.accessTokenTtlSeconds,
      storeScopeAnswer: () => this.storeScopeAnswer,
      signIn: (email, password, storeKey) => {
        const customer = this.#platform.accounts.findForSignIn(email, storeKey);
        return customer?.password === password ? customer.id : undefined;
      },
    });
    this.#platform = new MockPlatformApi({
      projectKey: this.projectKey,
      customers: this.customers,
      now: () => this.now(),
      revokeCustomerTokens: (customerId) => this.#auth.revokeCustomer(customerId),
      categories: options.categories ?? CATEGORIES,
      products: options.products ?? PRODUCTS,
    });
  }

  /** Every access token issued, live or not (revoked ones removed), with its owner and expiry. */
  get accessTokens(): ReadonlyMap<string, TokenOwner & { expiresAt: number }> {
    return this.#auth.accessTokens;
  }

  /** Every refresh token that still refreshes, with its owner. */
  get refreshTokens(): ReadonlyMap<string, TokenOwner> {
    return this.#auth.refreshTokens;
  }

  /** Every access, refresh, reset and verification token ever issued, to check none leaks anywhere. */
  get issuedSecrets(): readonly string[] {
    return [...this.#auth.issued, ...this.#accountSecrets];
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      this.#trackResponse(req.socket, res);
      void this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.#json(res, 500, { statusCode: 500, message: String(error) });
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => {
        this.#sockets.delete(socket);
        this.#unfinished.delete(socket);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.#hung) res.destroy();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  addClient(id: string, secret: string, scopes: string[]): void {
    this.#clients.push({ id, secret, scopes });
  }

  addCustomer(email: string, password: string, storeKey?: string): string {
    const id = `customer-${randomUUID()}`;
    this.customers.push({ email, id, password, ...(storeKey ? { storeKey } : {}) });
    return id;
  }

  /** Like a password reset: every token of that customer stops working. */
  revokeCustomerTokens(customerId: string): void {
    this.#auth.revokeCustomer(customerId);
  }

  /** Like the LRU eviction of refresh tokens past the project's limit. */
  evictRefreshToken(refreshToken: string): void {
    this.#auth.revoke(refreshToken);
  }

  /** An access token revoked early while its refresh token still works. */
  revokeAccessToken(accessToken: string): void {
    this.#auth.revoke(accessToken);
  }

  // ---------------------------------------------------------------- API-side faults and sockets
  // (for the API deadline tests; auth-side faults live in authFaults above)

  #apiHangs = 0;
  /** Open sockets, each with how many of its responses are still unfinished. */
  readonly #unfinished = new Map<Socket, number>();

  /** The next `count` API requests (not auth) are read and never answered: a hung API. */
  hangApiRequests(count: number): void {
    this.#apiHangs += count;
  }

  /** API requests now hanging whose connection the client has not closed. */
  get hungApiRequests(): number {
    return this.#hungApi.size;
  }

  /**
   * Open connections as the server sees them: `busy` ones carry a request not yet answered (or
   * hung), `idle` ones none. A client that gave up on a request without closing its socket leaves
   * it busy.
   */
  openConnections(): { total: number; busy: number; idle: number } {
    const busy = [...this.#unfinished.values()].filter((n) => n > 0).length;
    return { total: this.#sockets.size, busy, idle: this.#sockets.size - busy };
  }

  readonly #hungApi = new Set<ServerResponse>();

  #takeApiHang(res: ServerResponse): boolean {
    if (this.#apiHangs <= 0) return false;
    this.#apiHangs -= 1;
    this.#hungApi.add(res);
    this.#hung.push(res);
    res.once('close', () => this.#hungApi.delete(res));
    return true;
  }

  // ---------------------------------------------------------------- API-side answer faults

  readonly #apiFaults: ApiFault[] = [];
  /** API requests (any route) answered by a fault, per fault kind, for counting resends. */
  readonly apiFaultsApplied: ApiFault[] = [];
  /** The X-Correlation-ID of every API request received, faulted or not, in order. */
  readonly apiCorrelationIds: (string | undefined)[] = [];

  /** The next API requests (not auth) get these faults, one each, in order; then normal answers. */
  failApiRequests(...faults: ApiFault[]): void {
    this.#apiFaults.push(...faults);
  }

  #applyApiFault(res: ServerResponse): boolean {
    const fault = this.#apiFaults.shift();
    if (fault === undefined) return false;
    this.apiFaultsApplied.push(fault);
    switch (fault.kind) {
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(
          JSON.stringify({
            statusCode: fault.status,
            message: 'fault',
            errors: [{ code: 'General', message: 'fault' }],
          }),
        );
        return true;
      case 'page':
        res.writeHead(fault.status, { 'content-type': 'text/html' });
        res.end(`<html><body><h1>${fault.status}</h1></body></html>`);
        return true;
      case 'reset':
        res.socket?.destroy();
        return true;
    }
  }

  #trackResponse(socket: Socket, res: ServerResponse): void {
    this.#unfinished.set(socket, (this.#unfinished.get(socket) ?? 0) + 1);
    res.once('close', () => {
      if (this.#unfinished.has(socket)) this.#unfinished.set(socket, (this.#unfinished.get(socket) ?? 1) - 1);
    });
  }

  // ---------------------------------------------------------------- plumbing

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString()));
      req.on('end', () => resolve(data));
    });
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname.startsWith('/oauth/')) {
      if (await this.#applyFlowFault(url.pathname, new URLSearchParams(body), res)) return;
      const fault = this.authFaults.shift();
      if (fault && (await this.#applyFault(fault, res))) return;
      return this.#authAnswer(req, res, url.pathname, new URLSearchParams(body));
    }
    const correlationId = req.headers['x-correlation-id'];
    this.apiCorrelationIds.push(typeof correlationId === 'string' ? correlationId : undefined);
    if (this.#takeApiHang(res)) return;
    if (this.#applyApiFault(res)) return;
    return this.#api(req, res, url, body);
  }

  /** Returns true when the fault answered (or swallowed) the request. */
  async #applyFault(fault: Fault, res: ServerResponse): Promise<boolean> {
    switch (fault.kind) {
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(fault.body ?? JSON.stringify({ statusCode: fault.status, message: 'fault' }));
        return true;
      case 'html502':
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>');
        return true;
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"access_token":"trunc-abcdef123456","token_type":"Bea');
        return true;
      case 'hang':
        this.#hung.push(res);
        return true;
      case 'reset':
        res.socket?.destroy();
        return true;
      case 'slow':
        fault.onHold?.();
        await fault.release;
        return false;
    }
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  // ---------------------------------------------------------------- auth host

  async #authAnswer(req: IncomingMessage, res: ServerResponse, path: string, form: URLSearchParams): Promise<void> {
    const answer = await this.#auth.answer({ path, authorization: req.headers.authorization, form });
    const flow = authFlowOf(this.projectKey, path, form);
    // Counted as the platform would see them: grants of a known client.
    if (flow && answer.status !== 401) this.grants[flow] += 1;
    if (flow === 'refresh_token' && answer.status === 200) {
      const refreshToken = form.get('refresh_token') ?? '';
      this.refreshesBySession.set(refreshToken, (this.refreshesBySession.get(refreshToken) ?? 0) + 1);
    }
    if (answer.body === undefined) res.writeHead(answer.status).end();
    else this.#json(res, answer.status, answer.body);
  }

  // ---------------------------------------------------------------- auth answer faults (per grant type)

  /** Faults applied, one each, to the next requests of one flow only (before `authFaults`). */
  readonly flowFaults = new Map<Flow, (Fault | AuthAnswerFault)[]>();
  /** Requests per flow, counted before any fault: how often the client tried. */
  readonly flowRequests: Record<Flow, number> = {
    client_credentials: 0,
    password: 0,
    anonymous: 0,
    refresh_token: 0,
    revoke: 0,
    introspect: 0,
  };
  lastGzipBomb: GzipBombStats | undefined;

  /** Queues faults for the next requests of `flow` only, e.g. an HTML 403 for the refresh grant. */
  failFlow(flow: Flow, ...faults: (Fault | AuthAnswerFault)[]): void {
    this.flowFaults.set(flow, [...(this.flowFaults.get(flow) ?? []), ...faults]);
  }

  /** The flow of an auth-host request, as the platform routes it. */
  flowOf(path: string, form: URLSearchParams): Flow | undefined {
    return authFlowOf(this.projectKey, path, form);
  }

  async #applyFlowFault(path: string, form: URLSearchParams, res: ServerResponse): Promise<boolean> {
    const flow = this.flowOf(path, form);
    if (flow === undefined) return false;
    this.flowRequests[flow] += 1;
    const fault = this.flowFaults.get(flow)?.shift();
    if (!fault) return false;
    switch (fault.kind) {
      case 'page':
        res.writeHead(fault.status, { 'content-type': 'text/html', ...fault.headers });
        res.end(
          `<!DOCTYPE html><html><head><title>${fault.status}</title></head><body><h1>Request blocked (${fault.status})</h1></body></html>`,
        );
        return true;
      case 'redirect':
        res.writeHead(fault.status, { location: fault.location, 'content-type': 'text/plain' });
        res.end(`Moved to ${fault.location}`);
        return true;
      case 'oversized': {
        const filler = 'x'.repeat(Math.max(0, fault.bytes - 200));
        const text = JSON.stringify({
          access_token: `at-${filler}`,
          token_type: 'Bearer',
          expires_in: 3600,
          scope: `view_products:${this.projectKey}`,
        });
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(fault.declareLength ? { 'content-length': String(Buffer.byteLength(text)) } : {}),
        });
        await this.#writeInChunks(res, Buffer.from(text));
        return true;
      }
      case 'gzipBomb':
        await this.#gzipBomb(res, fault.members);
        return true;
      case 'patchAnswer': {
        const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
        res.end = ((chunk?: unknown) => {
          if (typeof chunk !== 'string' || res.statusCode !== 200) return end(chunk);
          return end(JSON.stringify(fault.patch(JSON.parse(chunk) as Record<string, unknown>)));
        }) as ServerResponse['end'];
        return false;
      }
      default:
        return this.#applyFault(fault, res);
    }
  }

  /** Writes with backpressure, stopping when the client goes away. */
  async #writeInChunks(res: ServerResponse, data: Buffer, chunk = 16 * 1024): Promise<void> {
    for (let at = 0; at < data.length && !res.destroyed; at += chunk) {
      if (!res.write(data.subarray(at, at + chunk))) await this.#drained(res);
    }
    if (!res.destroyed) res.end();
  }

  #drained(res: ServerResponse): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }

  /**
   * 1 MiB of zeros gzipped (~1 KiB), sent `members` times: 1200 members is 1.2 MB that inflates to
   * 1.2 GiB. One member per millisecond, so loopback socket buffers cannot swallow the whole bomb
   * before the client reacts: `lastGzipBomb` then shows how far the client let it get.
   */
  async #gzipBomb(res: ServerResponse, members: number): Promise<void> {
    const member = gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
    const stats: GzipBombStats = { membersSent: 0, bytesSent: 0, completed: false };
    this.lastGzipBomb = stats;
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    for (let i = 0; i < members && !res.destroyed; i += 1) {
      const more = res.write(member);
      stats.membersSent += 1;
      stats.bytesSent += member.length;
      if (!more) await this.#drained(res);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    if (!res.destroyed) {
      stats.completed = true;
      res.end();
    }
  }

  // ---------------------------------------------------------------- API host

  async #api(req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> {
    const prefix = `/${this.projectKey}`;
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const method = req.method ?? 'GET';
    const sessionTag = typeof req.headers['x-session'] === 'string' ? req.headers['x-session'] : undefined;
    const header = req.headers.authorization ?? '';
    const bearer = header.startsWith('Bearer ') ? header.slice(7) : '';
    // A token the auth host did not issue: asked of the project's External OAuth endpoint, when set.
    const external =
      bearer !== '' && this.externalOAuth && this.#auth.owner(bearer) === undefined
        ? await externalOwner(this.externalOAuth, this.projectKey, bearer, this.now())
        : undefined;
    const token =
      bearer === '' ? undefined : (this.#auth.owner(bearer) ?? (external === 'failed' ? undefined : external));
    const record: ApiCallRecord = { method, path, status: 0, kind: 'none', ...(sessionTag ? { sessionTag } : {}) };
    const correlationId = req.headers['x-correlation-id'];
    if (typeof correlationId === 'string') record.correlationId = correlationId;
    if (typeof req.headers['user-agent'] === 'string') record.userAgent = req.headers['user-agent'];
    const externalUserId = req.headers['x-external-user-id'];
    if (typeof externalUserId === 'string') record.externalUserId = externalUserId;
    this.apiCalls.push(record);
    if (token) record.kind = token.customerId ? 'customer' : token.anonymousId ? 'anonymous' : 'client';
    if (token?.customerId) record.customerId = token.customerId;
    if (token?.anonymousId) record.anonymousId = token.anonymousId;
    let json: unknown;
    try {
      json = body === '' ? undefined : JSON.parse(body);
    } catch {
      json = undefined;
    }
    const answered =
      external === 'failed'
        ? {
            response: toResponse(apiRefusal(401, 'ExternalOAuthFailed', 'The External OAuth introspection failed.')),
            by: 'token' as const,
          }
        : await this.#platform.answer({ method, url: url.href, apiPath: path, json, headers: req.headers }, token);
    const response =
      answered?.response ?? toResponse(apiRefusal(404, 'ResourceNotFound', `No route ${method} ${path}`));
    const text = await response.text();
    record.status = response.status;
    // Account, business-unit and as-associate calls, and the in-store sign-in, are account calls.
    const by = answered?.by;
    if (by === 'account' || by === 'associate' || (by === 'login' && path.startsWith('/in-store/')))
      this.accountCalls.push({ method, path, status: response.status, kind: record.kind });
    // Reset and verification token values are secrets too: none may leak anywhere.
    if (by === 'account' && response.status === 200 && /\/customers\/(?:password|email)-token$/.test(path))
      this.#accountSecrets.push(String((JSON.parse(text) as { value?: unknown }).value));
    res.writeHead(response.status, { 'content-type': 'application/json' });
    res.end(text);
  }

  /** A cart by id, whoever it belongs to, as the API holds it now (undefined once deleted). */
  cart(id: string): Record<string, unknown> | undefined {
    return this.#platform.carts.get(id);
  }

  // ---------------------------------------------------------------- accounts, Stores, associates

  /** Account calls, for asserting what the library sent (never the body: it holds passwords). */
  readonly accountCalls: { method: string; path: string; status: number; kind: ApiCallRecord['kind'] }[] = [];

  /** Whose email is verified (a verification token was redeemed). */
  get verifiedEmails(): { has(customerId: string): boolean } {
    return { has: (customerId) => this.#platform.accounts.isEmailVerified(customerId) };
  }

  /** A business unit whose associates (customer id -> permissions) are among the customers. */
  addBusinessUnit(key: string, associates: Record<string, string[]>): void {
    this.#platform.businessUnits.add({
      key,
      associates: Object.entries(associates).flatMap(([id, permissions]) => {
        const customer = this.customers.find((c) => c.id === id);
        return customer ? [{ email: customer.email, permissions }] : [];
      }),
    });
  }
}
