import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import type { FetchLike } from '../auth/AuthTransport';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../auth/RetryPolicy';
import type { TokenSource } from '../tokens/TokenSource';
import { isValidCorrelationId, newCorrelationId } from '../util/correlationId';
import type { Logger } from '../util/Logger';
import { timerSleep, type Sleep } from '../util/sleep';
import { userAgent } from '../util/userAgent';
import { ApiCall, CALL } from './ApiCall';
import { currentApiCallContext } from './apiCallContext';
import { apiEngine, type ApiEngine, type ApiEngineName, type EngineClient, type EngineMiddleware, type EngineRequest, type FailureHandler } from './ApiEngine';
import { apiErrorOf } from './apiErrorOf';
import { ApiTransport } from './ApiTransport';
import { DeadlineSweeper } from './DeadlineSweeper';
import type { CtpTelemetry } from '../telemetry/CtpTelemetry';

export interface ApiRootFactoryOptions {
  apiUrl: string;
  projectKey: string;
  fetch: () => FetchLike;
  /** Per attempt, until the answer's head: past it the request is aborted (its socket closed). */
  timeoutMs: number;
  logger: Logger;
  /** Request builders kept for reuse, oldest dropped first. */
  cacheSize?: number;
  /** Default sdk-client-v2. */
  engine?: ApiEngineName;
  /** Resends of safe requests (default DEFAULT_RETRY_POLICY). */
  retry?: RetryPolicy;
  sleep?: Sleep;
  random?: () => number;
  /** Sent as User-Agent (default `ctp-client/<version> node/<version>`). */
  userAgent?: string;
  /** The app's own middlewares for the selected engine, between auth and HTTP. */
  middlewares?: readonly EngineMiddleware[];
  /** Told of every resend and 401 recovery (telemetry). */
  onRetry?: (call: ApiCall) => void;
  onRecovery?: (call: ApiCall) => void;
  /** One INTERNAL span per call when set; nothing per call when not. */
  telemetry?: CtpTelemetry;
}

function isInvalidToken(failure: { statusCode?: unknown; body?: unknown } | undefined): boolean {
  if (failure?.statusCode !== 401) return false;
  const body = failure.body as { error?: unknown; errors?: { code?: unknown }[] } | undefined;
  const code = body?.error ?? body?.errors?.[0]?.code;
  // A 401 with no readable body is treated as an invalid token too: the platform answers 401 for nothing else.
  return code === undefined || code === 'invalid_token';
}

/**
 * Builds the platform SDK's request builder on the selected engine's existing-token middleware and
 * its HTTP middleware (none of the SDK's grant middlewares), and reuses it while the token and its
 * source are unchanged (up to `cacheSize` builders).
 *
 * Every call runs as an ApiCall: correlation ID, deadline and signal from the call context,
 * retries through ApiTransport, and any failure rejected as a CtpApiError.
 *
 * A 401 invalid_token is recovered once, through the token source the builder was made from (never
 * the session current when the call runs): the source renews its own lineage or fails, and the
 * request is sent again through a client built for that token, without a second recovery.
 */
export class ApiRootFactory {
  readonly #o: ApiRootFactoryOptions;
  readonly #cache = new Map<string, { key: object; builder: ByProjectKeyRequestBuilder }>();
  readonly #cacheSize: number;
  readonly #deadlines = new DeadlineSweeper();
  readonly #engine: ApiEngine;
  readonly #transport: ApiTransport;
  /** App middlewares may call `next` later: then the call travels in the headers, not handed over. */
  readonly #viaHeaders: boolean;
  readonly #userAgent: string;

  constructor(options: ApiRootFactoryOptions) {
    this.#o = options;
    this.#cacheSize = options.cacheSize ?? 1_000;
    this.#engine = apiEngine(options.engine ?? 'sdk-client-v2');
    this.#viaHeaders = (options.middlewares?.length ?? 0) > 0;
    this.#userAgent = options.userAgent ?? userAgent();
    this.#transport = new ApiTransport({
      fetch: options.fetch,
      deadlines: this.#deadlines,
      timeoutMs: options.timeoutMs,
      retry: options.retry ?? DEFAULT_RETRY_POLICY,
      sleep: options.sleep ?? timerSleep,
      random: options.random ?? Math.random,
      userAgent: this.#userAgent,
      logger: options.logger,
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    });
  }

  /** Aborts the API calls in flight (releasing their sockets) and stops the deadline timer. */
  close(): void {
    this.#deadlines.close();
  }

  forSource(source: TokenSource): ByProjectKeyRequestBuilder {
    const cached = this.#cache.get(source.accessToken);
    // Shared only with calls of the same source: a builder recovers through the source it was made from.
    if (cached?.key === source.key) return cached.builder;
    const builder = createApiBuilderFromCtpClient(this.#client(source, source.accessToken, true)).withProjectKey({ projectKey: this.#o.projectKey });
    this.#cache.set(source.accessToken, { key: source.key, builder });
    // Oldest first out. Insertion order, not use order: a hit costs one lookup, and a session whose
    // builder was dropped only pays for building it again.
    if (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    return builder;
  }

  #call(request: EngineRequest, source: TokenSource): ApiCall {
    const context = currentApiCallContext();
    const headers = request.headers;
    const given = headers?.['X-Correlation-ID'] ?? headers?.['x-correlation-id'];
    // An invalid ID is replaced, not forwarded: the platform would refuse the request.
    const correlationId = isValidCorrelationId(given) ? given : (context?.correlationId ?? newCorrelationId());
    return new ApiCall(request, headers, correlationId, source.owner, context?.deadline, context?.signal, context?.retryNonIdempotent === true);
  }

  #client(source: TokenSource, accessToken: string, recoverable: boolean): EngineClient {
    const client = this.#engine.createClient({
      host: this.#o.apiUrl,
      authorization: `Bearer ${accessToken}`,
      fetch: this.#transport.fetch,
      middlewares: this.#o.middlewares ?? [],
    });
    if (!recoverable) return client;
    const telemetry = this.#o.telemetry;
    const viaHeaders = this.#viaHeaders;
    // Recovery and error mapping wrap execute() rather than adding a middleware: one promise handler per call.
    return {
      ...client,
      execute: (request: EngineRequest) => {
        const call = this.#call(request, source);
        // With app middlewares (which may call next later) the call travels in the headers: both
        // engines copy them, symbol keys included, into fetch's init. Without, it is handed over.
        const tagged: EngineRequest = viaHeaders ? { ...request, headers: this.#lend(call, CALL) } : request;
        if (telemetry !== undefined) return telemetry.apiCall(call, () => this.#execute(client, tagged, call, source, accessToken));
        return this.#execute(client, tagged, call, source, accessToken);
      },
    };
  }

  /**
   * Executes with `call` handed to the transport for the fetch the engine makes synchronously
   * inside, and with a headers object of ours (User-Agent, X-Correlation-ID, Content-Type and the
   * caller's) in the SDK's request for as long as execute() runs. Both engines copy the headers
   * synchronously, first thing (their existing-token middleware spreads them), and the request gets
   * its own object back after: nothing of the caller's is changed.
   *
   * Why not add the headers to the engine's copy at fetch, as before: on Node 20 that copy has a
   * hidden class of its own on every call (`{ ...headers, Authorization }` makes a new one each
   * time), so each property added to it made V8 build another (bench/instructionsPerCall.ts: about
   * 4 % of a whole call). Ours is a literal: one hidden class. Content-Type is what both engines add
   * when a request has none; already there, their copy needs no property added either.
   */
  #run(client: EngineClient, request: EngineRequest, call: ApiCall, onFailure: FailureHandler): Promise<unknown> {
    if (this.#viaHeaders) return client.execute(request, onFailure);
    request.headers = this.#lend(call);
    this.#transport.handOver(call);
    try {
      return client.execute(request, onFailure);
    } finally {
      this.#transport.handOver(undefined);
      request.headers = call.callerHeaders;
    }
  }

  /**
   * The headers a call is sent with: ours, then the caller's, except its own User-Agent and
   * correlation ID (one of each goes out); with `tag`, the call itself under that key as well.
   */
  #lend(call: ApiCall, tag?: typeof CALL): Record<string | symbol, unknown> {
    const lent: Record<string | symbol, unknown> = { 'Content-Type': 'application/json', 'User-Agent': this.#userAgent, 'X-Correlation-ID': call.correlationId };
    if (tag !== undefined) lent[tag] = call;
    const own = call.callerHeaders;
    if (own === undefined) return lent;
    for (const name in own) {
      const lower = name.toLowerCase();
      if (lower === 'user-agent' || lower === 'x-correlation-id') continue;
      // One spelling of a name: two would reach the server joined into one value.
      if (lower === 'content-type' && name !== 'Content-Type') delete lent['Content-Type'];
      lent[name] = own[name];
    }
    return lent;
  }

  /**
   * The call, a 401 recovered once through its own source, and any failure as a CtpApiError. The
   * failure is handed to the engine (onFailure) rather than caught: no promise of ours per call.
   */
  #execute(client: EngineClient, tagged: EngineRequest, call: ApiCall, source: TokenSource, accessToken: string): Promise<unknown> {
    const engine = this.#engine;
    return this.#run(client, tagged, call, (error: unknown) => {
      const failure = engine.failureOf(error);
      if (!isInvalidToken(failure)) throw apiErrorOf(error, failure, call);
      this.#o.logger.info(
        { event: 'ctp.api.invalid_token', owner: source.owner, correlationId: call.correlationId },
        'API answered 401 invalid_token; renewing the token once',
      );
      this.#o.onRecovery?.(call);
      const mapSecond = (second: unknown): never => {
        throw apiErrorOf(second, engine.failureOf(second), call);
      };
      return source.recover(accessToken).then((fresh) => this.#run(this.#client(source, fresh, false), tagged, call, mapSecond), mapSecond);
    });
  }
}
