import { createRequire } from 'node:module';
import * as tsClient from '@commercetools/ts-client';
import type { FetchLike } from '../auth/AuthTransport';
import { CtpConfigError } from '../errors/CtpConfigError';

/** Which SDK client runs the HTTP calls: @commercetools/ts-client (default) or @commercetools/sdk-client-v2. */
export type ApiEngineName = 'ts-client' | 'sdk-client-v2';

export const API_ENGINE_NAMES: readonly ApiEngineName[] = ['ts-client', 'sdk-client-v2'];

/** A request as the platform SDK's builders hand it to a client. */
export interface EngineRequest {
  method: string;
  uri: string;
  uriTemplate?: string;
  headers?: Record<string, unknown> | undefined;
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
  /** Given to the engine's HTTP middleware: every attempt, retry and deadline of a call happen in it. */
  fetch: FetchLike;
  /** Placed after the existing-token middleware, before the HTTP one. */
  middlewares: readonly EngineMiddleware[];
}

/** Makes a client on the engine's own createClient; the engine never retries nor times out itself. */
export type EngineClientFactory = (options: EngineClientOptions) => EngineClient;

type SdkClientV2 = typeof import('@commercetools/sdk-client-v2');

// Both engines through their public API: createClient with the existing-token middleware (no grant
// middleware: the library owns every token) and the HTTP middleware on our fetch, with neither
// engine's retry nor timeout, and nothing of the request (a body may hold a password) in errors.
const tsClientFactory: EngineClientFactory = ({ host, authorization, fetch, middlewares }) =>
  tsClient.createClient({
    middlewares: [
      tsClient.createAuthMiddlewareForExistingTokenFlow(authorization, { force: true }),
      ...(middlewares as tsClient.Middleware[]),
      tsClient.createHttpMiddleware({
        host,
        httpClient: fetch,
        includeRequestInErrorResponse: false,
        maskSensitiveHeaderData: true,
        includeResponseHeaders: true,
      }),
    ],
  }) as unknown as EngineClient;

function sdkClientV2Factory(v2: SdkClientV2): EngineClientFactory {
  return ({ host, authorization, fetch, middlewares }) =>
    v2.createClient({
      middlewares: [
        v2.createAuthWithExistingToken(authorization, { force: true }),
        ...(middlewares as import('@commercetools/sdk-client-v2').Middleware[]),
        v2.createHttpClient({
          host,
          fetch,
          includeRequestInErrorResponse: false,
          maskSensitiveHeaderData: true,
          includeResponseHeaders: true,
        }),
      ],
    }) as unknown as EngineClient;
}

/**
 * The factory for the selected engine. sdk-client-v2 is an optional peer dependency (deprecated by
 * commercetools), loaded only when selected, so the library loads without it.
 *
 * @throws CtpConfigError when sdk-client-v2 is selected but not installed.
 */
export function engineClientFactory(name: ApiEngineName): EngineClientFactory {
  if (name === 'ts-client') return tsClientFactory;
  let v2: SdkClientV2;
  try {
    v2 = createRequire(import.meta.url)('@commercetools/sdk-client-v2') as SdkClientV2;
  } catch {
    throw new CtpConfigError([
      "api.engine is 'sdk-client-v2' but @commercetools/sdk-client-v2 is not installed: npm install @commercetools/sdk-client-v2 (^3.4 on Node 20, ^4 on Node 22+), or remove api.engine to use @commercetools/ts-client",
    ]);
  }
  return sdkClientV2Factory(v2);
}
