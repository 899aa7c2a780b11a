import type { FetchLike } from '../auth/AuthTransport';
import { newCorrelationId } from '../util/correlationId';
import { currentCorrelationId } from '../util/apiCallContext';

/**
 * For the requests the library sends itself (auth host, sign-in): adds User-Agent and the current
 * request's X-Correlation-ID (a fresh one outside a request). Looked up per call, as `fetch` is.
 */
export function tracedFetch(fetch: () => FetchLike, userAgent: string): () => FetchLike {
  const send: FetchLike = (input, init) =>
    fetch()(input, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string> | undefined),
        'User-Agent': userAgent,
        'X-Correlation-ID': currentCorrelationId() ?? newCorrelationId(),
      },
    });
  return () => send;
}
