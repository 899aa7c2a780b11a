import type { FetchLike } from '../auth/AuthTransport';
import { backoffMs, retryAfterMs, type RetryPolicy } from '../auth/RetryPolicy';
import { newCorrelationId } from '../util/correlationId';
import type { Logger } from '../util/Logger';
import type { Sleep } from '../util/sleep';
import { CALL, type ApiCall, type AttemptJudge } from './ApiCall';
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
export class ApiTransport implements AttemptJudge {
  readonly #o: ApiTransportOptions;
  readonly fetch: FetchLike;

  constructor(options: ApiTransportOptions) {
    this.#o = options;
    this.fetch = (input, init) => this.#send(input, init);
  }

  /**
   * The call being executed right now: both engines call fetch synchronously inside execute() when
   * no app middleware sits in between, so the hand-over needs no per-call object in the headers.
   * Its User-Agent and X-Correlation-ID are in the request's headers already (ApiRootFactory).
   */
  handOver(call: ApiCall | undefined): void {
    this.#pending = call;
  }

  #pending: ApiCall | undefined = undefined;

  #send(input: string, init: RequestInit): Promise<Response> {
    let call = this.#pending;
    this.#pending = undefined;
    if (call === undefined) {
      const headers = init.headers as Record<string | symbol, unknown>;
      call = headers[CALL] as ApiCall | undefined;
      if (call === undefined) {
        // Not a call of a builder of ours: the headers are added here, to the engine's own copy.
        const out = init.headers as Record<string, string>;
        out['User-Agent'] = this.#o.userAgent;
        out['X-Correlation-ID'] = newCorrelationId();
        return this.#o.deadlines.fetch(this.#o.fetch(), input, init, this.#o.timeoutMs);
      }
      // With app middlewares the call travels in the headers instead; undici refuses symbol header
      // names, so the headers are copied without it (for-in skips symbols).
      const copy: Record<string, unknown> = {};
      for (const key in headers) copy[key] = headers[key];
      init = { ...init, headers: copy as Record<string, string> };
    }
    call.input = input;
    call.init = init;
    call.judge = this;
    return this.#attempt(call);
  }

  answered(call: ApiCall, response: Response): Response | Promise<Response> {
    call.status = response.status;
    return RETRY_STATUS.has(response.status) ? this.#afterStatus(call, response) : response;
  }

  failed(call: ApiCall, error: unknown): Promise<Response> {
    return this.#afterError(call, error);
  }

  #attempt(call: ApiCall): Promise<Response> {
    let timeoutMs = this.#o.timeoutMs;
    if (call.deadline !== undefined) {
      const left = call.deadline - Date.now();
      if (left <= 0) {
        call.failure = 'timeout';
        return Promise.reject(new ApiDeadlineError('The API call reached its deadline before this attempt'));
      }
      if (left < timeoutMs) timeoutMs = left;
    }
    return this.#o.deadlines.fetch(this.#o.fetch(), call.input, call.init!, timeoutMs, call.signal, call);
  }

  async #afterStatus(call: ApiCall, response: Response): Promise<Response> {
    const retryAfter = retryAfterMs(response.headers.get('retry-after'), Date.now());
    // An error answer means the request reached the platform: resent only when safe to repeat.
    if ((response.status === 429 && retryAfter === undefined) || !call.retryable) return response;
    const delay = this.#delay(call, retryAfter);
    if (delay === undefined) return response;
    await response.body?.cancel().catch(ignore);
    await this.#pause(call, delay, response.status);
    return this.#attempt(call);
  }

  async #afterError(call: ApiCall, error: unknown): Promise<Response> {
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
    return this.#attempt(call);
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
