import type { FetchLike } from '../auth/AuthTransport';
import { backoffMs, retryAfterMs, type RetryPolicy } from '../auth/RetryPolicy';
import { newCorrelationId } from '../util/correlationId';
import type { Logger } from '../util/Logger';
import type { Sleep } from '../util/sleep';
import { CALL, type ApiCall } from './ApiCall';
import { ApiCancelledError, ApiDeadlineError, type DeadlineSweeper } from './DeadlineSweeper';

export interface ApiTransportOptions {
  fetch: () => FetchLike;
  deadlines: DeadlineSweeper;
  /** Per attempt, until the answer's head. */
  timeoutMs: number;
  retry: RetryPolicy;
  sleep: Sleep;
  random: () => number;
  userAgent: string;
  logger: Logger;
  /** Told of every resend (telemetry counts them). */
  onRetry?: (call: ApiCall) => void;
}

/** Answers worth another attempt: 429 only with Retry-After (see #afterStatus). */
const RETRY_STATUS = new Set([429, 502, 503, 504]);
/** Network errors raised before a byte of the request was sent: safe to resend whatever the method. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

function networkCode(error: unknown): string | undefined {
  const code = ((error as { cause?: { code?: unknown } } | undefined)?.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

const ignore = () => undefined;

/**
 * The fetch an engine's HTTP middleware calls: it takes the call's ApiCall out of the headers, adds
 * X-Correlation-ID and User-Agent, runs each attempt under the shared deadline sweeper (with the
 * caller's signal only when there is one), and resends network failures and 502/503/504 (429 with
 * Retry-After) with full-jitter backoff when the request is safe to repeat. The engine sees only the
 * last answer; its error becomes a CtpApiError in ApiRootFactory, with `call.retries` on it.
 *
 * The first attempt's success costs one `.then` and a header copy: no timer, signal or closure per call.
 */
export class ApiTransport {
  readonly #o: ApiTransportOptions;
  readonly fetch: FetchLike;

  constructor(options: ApiTransportOptions) {
    this.#o = options;
    this.fetch = (input, init) => this.#send(input, init);
  }

  #send(input: string, init: RequestInit): Promise<Response> {
    const source = init.headers as Record<string | symbol, unknown> | undefined;
    const call = source?.[CALL] as ApiCall | undefined;
    const headers: Record<string, string> = {};
    // for-in leaves the symbol key behind: undici refuses symbol header names.
    for (const key in source) headers[key] = source[key] as string;
    headers['User-Agent'] = this.#o.userAgent;
    headers['X-Correlation-ID'] = call?.correlationId ?? newCorrelationId();
    const request = { ...init, headers };
    if (call === undefined) return this.#o.deadlines.fetch(this.#o.fetch(), input, request, this.#o.timeoutMs);
    return this.#attempt(call, input, request);
  }

  #attempt(call: ApiCall, input: string, init: RequestInit): Promise<Response> {
    let timeoutMs = this.#o.timeoutMs;
    if (call.deadline !== undefined) {
      const left = call.deadline - Date.now();
      if (left <= 0) {
        call.failure = 'timeout';
        return Promise.reject(new ApiDeadlineError('The API call reached its deadline before this attempt'));
      }
      if (left < timeoutMs) timeoutMs = left;
    }
    return this.#o.deadlines.fetch(this.#o.fetch(), input, init, timeoutMs, call.signal).then(
      (response) => {
        call.status = response.status;
        return RETRY_STATUS.has(response.status) ? this.#afterStatus(call, input, init, response) : response;
      },
      (error: unknown) => this.#afterError(call, input, init, error),
    );
  }

  async #afterStatus(call: ApiCall, input: string, init: RequestInit, response: Response): Promise<Response> {
    const retryAfter = retryAfterMs(response.headers.get('retry-after'), Date.now());
    // An error answer means the request reached the platform: resent only when safe to repeat.
    if ((response.status === 429 && retryAfter === undefined) || !call.retryable) return response;
    const delay = this.#delay(call, retryAfter);
    if (delay === undefined) return response;
    await response.body?.cancel().catch(ignore);
    await this.#pause(call, delay, response.status);
    return this.#attempt(call, input, init);
  }

  async #afterError(call: ApiCall, input: string, init: RequestInit, error: unknown): Promise<Response> {
    if (error instanceof ApiCancelledError || call.signal?.aborted === true) {
      call.failure = 'cancelled';
      throw error;
    }
    const timedOut = error instanceof ApiDeadlineError;
    call.failure = timedOut ? 'timeout' : 'network';
    call.cause = error;
    const neverSent = !timedOut && NEVER_SENT.has(networkCode(error) ?? '');
    if (!(call.retryable || neverSent)) throw error;
    const delay = this.#delay(call, undefined);
    if (delay === undefined) throw error;
    await this.#pause(call, delay, undefined);
    call.failure = undefined;
    call.cause = undefined;
    return this.#attempt(call, input, init);
  }

  /** The wait before the next attempt, or undefined when there is none: retries used up, a wait past the cap or the call's deadline. */
  #delay(call: ApiCall, retryAfter: number | undefined): number | undefined {
    const policy = this.#o.retry;
    if (call.retries >= policy.maxRetries) return undefined;
    const delay = retryAfter ?? backoffMs(policy, call.retries, this.#o.random);
    if (delay > policy.maxDelayMs) return undefined;
    if (call.deadline !== undefined && Date.now() + delay >= call.deadline) return undefined;
    return delay;
  }

  async #pause(call: ApiCall, delayMs: number, status: number | undefined): Promise<void> {
    call.retries += 1;
    this.#o.onRetry?.(call);
    this.#o.logger.info(
      { event: 'ctp.api.retry', method: call.method, uriTemplate: call.uriTemplate, status, failure: call.failure, retries: call.retries, delayMs, correlationId: call.correlationId },
      'Sending an API request again after a transient failure',
    );
    const signal = call.signal;
    if (signal === undefined) return this.#o.sleep(delayMs);
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        call.failure = 'cancelled';
        reject(new ApiCancelledError('The API call was cancelled through its AbortSignal', { cause: signal.reason }));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#o.sleep(delayMs).then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, reject);
    });
  }
}
