import * as tsClient from '@commercetools/ts-client';
import * as v2 from '@commercetools/sdk-client-v2';
import type { FetchLike } from '../auth/AuthTransport';

/** Which SDK runs the HTTP calls: sdk-client-v2 (default) or its successor @commercetools/ts-client. */
export type ApiEngineName = 'sdk-client-v2' | 'ts-client';

export const API_ENGINE_NAMES: readonly ApiEngineName[] = ['sdk-client-v2', 'ts-client'];

/** A request as the platform SDK's builders hand it to a client. */
export interface EngineRequest {
  method: string;
  uri: string;
  uriTemplate?: string;
  headers?: Record<string | symbol, unknown>;
  body?: unknown;
}

/** What createApiBuilderFromCtpClient needs of a client. */
export interface EngineClient {
  execute(request: EngineRequest): Promise<unknown>;
}

/** An app's own SDK middleware, written for the engine it selected. */
export type EngineMiddleware = unknown;

export interface EngineClientOptions {
  host: string;
  /** `Bearer <token>`. */
  authorization: string;
  fetch: FetchLike;
  /** Placed after the existing-token middleware, before the HTTP one. */
  middlewares: readonly EngineMiddleware[];
}

export interface ApiEngine {
  readonly name: ApiEngineName;
  /** A client on the engine's existing-token middleware (no grant middleware) and its HTTP middleware, with no retry or timeout of its own. */
  createClient(options: EngineClientOptions): EngineClient;
  /** The engine's rejection as the SDK error it carries (statusCode, body, headers), or undefined when it is not one. */
  failureOf(error: unknown): { statusCode?: unknown; body?: unknown } | undefined;
}

const sdkClientV2: ApiEngine = {
  name: 'sdk-client-v2',
  createClient: ({ host, authorization, fetch, middlewares }) =>
    v2.createClient({
      middlewares: [
        v2.createAuthWithExistingToken(authorization, { force: true }),
        ...(middlewares as v2.Middleware[]),
        v2.createHttpClient({
          host,
          fetch,
          // The original request may carry a password (sign-up, password change) in its body.
          includeRequestInErrorResponse: false,
          maskSensitiveHeaderData: true,
        }),
      ],
    }) as unknown as EngineClient,
  failureOf: (error) => (typeof error === 'object' && error !== null && 'statusCode' in error ? (error as { statusCode?: unknown; body?: unknown }) : undefined),
};

const tsClientEngine: ApiEngine = {
  name: 'ts-client',
  createClient: ({ host, authorization, fetch, middlewares }) =>
    tsClient.createClient({
      middlewares: [
        tsClient.createAuthMiddlewareForExistingTokenFlow(authorization, { force: true }),
        ...(middlewares as tsClient.Middleware[]),
        tsClient.createHttpMiddleware({
          host,
          httpClient: fetch as unknown as tsClient.HttpClientOptions['httpClient'],
          includeRequestInErrorResponse: false,
          maskSensitiveHeaderData: true,
          includeResponseHeaders: true,
        }),
      ],
    }) as unknown as EngineClient,
  failureOf: (error) => {
    // ts-client rejects a network failure as `{ body: null, error }`.
    const inner = typeof error === 'object' && error !== null && !('statusCode' in error) && 'error' in error ? (error as { error: unknown }).error : error;
    return typeof inner === 'object' && inner !== null && 'statusCode' in inner ? (inner as { statusCode?: unknown; body?: unknown }) : undefined;
  },
};

/** The one place that knows which engine runs. */
export function apiEngine(name: ApiEngineName): ApiEngine {
  return name === 'ts-client' ? tsClientEngine : sdkClientV2;
}
