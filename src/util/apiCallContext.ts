import { AsyncLocalStorage } from 'node:async_hooks';
import { CtpConfigError } from '../errors/CtpConfigError';
import { isValidCorrelationId } from './correlationId';
import { isValidTimeoutMs, MAX_TIMEOUT_MS } from './deadline';

/** What the API calls made inside `withApiCallOptions` (or the session middleware) share. */
interface ApiCallContext {
  /** Sent as X-Correlation-ID on every request of the context, and put in its log events and errors. */
  readonly correlationId?: string | undefined;
  /** Absolute time (Date.now() ms) past which the calls fail with CTP_API_TIMEOUT. */
  readonly deadline?: number | undefined;
  /** Aborting it cancels the calls (CTP_API_CANCELLED) and closes their sockets. */
  readonly signal?: AbortSignal | undefined;
  /** Lets POSTs and DELETEs of the context be retried like idempotent requests (you know they are). */
  readonly retryNonIdempotent?: boolean | undefined;
}

// One per process, kept on globalThis so the ESM and CJS copies of the library share it.
const KEY = Symbol.for('ctp-client.apiCallContext');
const holder = globalThis as unknown as Record<symbol, AsyncLocalStorage<ApiCallContext> | undefined>;
const storage: AsyncLocalStorage<ApiCallContext> = (holder[KEY] ??= new AsyncLocalStorage<ApiCallContext>());

export function currentApiCallContext(): ApiCallContext | undefined {
  return storage.getStore();
}

/** Set by ctpSessionMiddleware or withApiCallOptions. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** Runs `fn` in a context with this correlation ID (the session middleware does it for each request). */
export function runWithCorrelationId<T>(correlationId: string, fn: () => T): T {
  const outer = storage.getStore();
  return storage.run({ ...outer, correlationId }, fn);
}

/**
 * Runs `fn` with a deadline, an AbortSignal and/or retry opt-in for every API call made inside it
 * (one call, or a whole chain). Nested contexts narrow: the earlier deadline wins and both signals
 * cancel. Throws CTP_CONFIG_INVALID for a bad timeout or correlation ID.
 *
 * @example
 * const { body } = await withApiCallOptions({ timeoutMs: 2_000, signal }, () =>
 *   apiRoot.me().carts().withId({ ID }).get().execute());
 */
export function withApiCallOptions<T>(
  options: {
    /** How long the calls inside may take in total, retries and backoff included. */
    timeoutMs?: number;
    /** e.g. the incoming request's: aborting it cancels the calls inside. */
    signal?: AbortSignal;
    /** Opt in: retry the POSTs and DELETEs inside on network errors and 502/503/504 as well (only if they are safe to repeat). */
    retryNonIdempotent?: boolean;
    /** Overrides the request's correlation ID for the calls inside (must be 8-256 of A-Z a-z 0-9 _ -). */
    correlationId?: string;
  },
  fn: () => T,
): T {
  const problems: string[] = [];
  const { timeoutMs, signal, correlationId } = options;
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && isValidTimeoutMs(timeoutMs)))
    problems.push(`timeoutMs must be a positive number of milliseconds, at most ${MAX_TIMEOUT_MS}`);
  if (signal !== undefined && !(signal instanceof AbortSignal)) problems.push('signal must be an AbortSignal');
  if (correlationId !== undefined && !isValidCorrelationId(correlationId))
    problems.push('correlationId must be 8 to 256 letters, digits, _ or -');
  if (problems.length > 0) throw new CtpConfigError(problems);
  const outer = storage.getStore();
  let deadline = outer?.deadline;
  if (timeoutMs !== undefined) {
    // Date.now, as the fetch that enforces it per attempt.
    const own = Date.now() + timeoutMs;
    deadline = deadline === undefined ? own : Math.min(deadline, own);
  }
  let combined = outer?.signal;
  if (signal !== undefined) combined = combined === undefined ? signal : AbortSignal.any([combined, signal]);
  return storage.run(
    {
      correlationId: correlationId ?? outer?.correlationId,
      deadline,
      signal: combined,
      retryNonIdempotent: options.retryNonIdempotent ?? outer?.retryNonIdempotent,
    },
    fn,
  );
}

/**
 * Keeps only the correlation ID, for clean-up that must run past the caller's deadline or cancel
 * (unlocking a cart); each attempt stays bounded by apiTimeoutMs.
 */
export function withoutCallLimits<T>(fn: () => T): T {
  return storage.run({ correlationId: storage.getStore()?.correlationId }, fn);
}
