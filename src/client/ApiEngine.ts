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
  headers?: Record<string | symbol, unknown> | undefined;
  body?: unknown;
}

/** Given the engine's rejection of a call; what it returns (or throws) settles the call instead. */
export type FailureHandler = (error: unknown) => unknown;

/** What createApiBuilderFromCtpClient needs of a client, plus the failure hand-over the library uses. */
export interface EngineClient {
  /**
   * With `onFailure`, a failure is handed to it and never rejects on its own: the same as
   * `.catch(onFailure)`, but an engine may do it without a promise of its own on every call.
   */
  execute(request: EngineRequest, onFailure?: FailureHandler): Promise<unknown>;
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

type V2Response = { resolve(value: unknown): void; reject(error: unknown): void; body?: unknown; error?: unknown; statusCode?: number; headers?: unknown; request?: unknown };
type V2Dispatch = (request: EngineRequest, response: V2Response) => void;
type V2Middleware = (next: V2Dispatch) => V2Dispatch;

/** sdk-client-v2's last step: settles the call from the response the middlewares hand on, as its createClient does. */
const settleV2: V2Dispatch = (_request, rs) => {
  if (rs.error) return rs.reject(rs.error);
  const result: { body: unknown; statusCode: number | undefined; headers?: unknown; request?: unknown } = { body: rs.body || {}, statusCode: rs.statusCode };
  if (rs.headers) result.headers = rs.headers;
  if (rs.request) result.request = rs.request;
  rs.resolve(result);
};

/**
 * The sdk-client-v2 middlewares (its existing-token and HTTP ones), composed and dispatched as its
 * createClient does, with two differences that save work on every call: without app middlewares the
 * chain is composed once, not per call, and a failure reaches `onFailure` through the response's
 * `reject` (which every v2 middleware hands on) rather than through a `.catch` promise.
 */
function sdkClientV2Client({ host, authorization, fetch, middlewares }: EngineClientOptions): EngineClient {
  const chain = [
    v2.createAuthWithExistingToken(authorization, { force: true }),
    ...(middlewares as v2.Middleware[]),
    v2.createHttpClient({
      host,
      fetch,
      // The original request may carry a password (sign-up, password change) in its body.
      includeRequestInErrorResponse: false,
      maskSensitiveHeaderData: true,
    }),
  ] as unknown as V2Middleware[];
  const compose = () => chain.reduceRight<V2Dispatch>((next, middleware) => middleware(next), settleV2);
  // An app middleware may keep state per composition: composed per call then, as v2 does.
  const composed = middlewares.length === 0 ? compose() : undefined;
  return {
    execute(request, onFailure) {
      // v2's own check, thrown as it throws it (before any promise).
      if (typeof request?.uri !== 'string' || typeof request.method !== 'string') {
        throw new Error('The "exec" Request object requires a valid uri and method.');
      }
      const dispatch = composed ?? compose();
      return new Promise((resolve, reject) => {
        const fail =
          onFailure === undefined
            ? reject
            : (error: unknown) => {
                try {
                  resolve(onFailure(error));
                } catch (thrown) {
                  reject(thrown);
                }
              };
        dispatch(request, { resolve, reject: fail, body: undefined, error: undefined });
      });
    },
  };
}

const sdkClientV2: ApiEngine = {
  name: 'sdk-client-v2',
  createClient: sdkClientV2Client,
  failureOf: (error) => (typeof error === 'object' && error !== null && 'statusCode' in error ? (error as { statusCode?: unknown; body?: unknown }) : undefined),
};

/** ts-client's own client on its existing-token and HTTP middlewares. */
function tsClientClient({ host, authorization, fetch, middlewares }: EngineClientOptions): { execute(request: EngineRequest): Promise<unknown> } {
  return tsClient.createClient({
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
  }) as unknown as { execute(request: EngineRequest): Promise<unknown> };
}

const tsClientEngine: ApiEngine = {
  name: 'ts-client',
  createClient: (options) => {
    const client = tsClientClient(options);
    // ts-client's middlewares are async functions: its failure is only reachable as a rejection.
    return { execute: (request, onFailure) => (onFailure === undefined ? client.execute(request) : client.execute(request).catch(onFailure)) };
  },
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
