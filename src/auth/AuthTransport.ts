import { CtpAuthUnavailableError } from '../errors/CtpAuthUnavailableError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import { raceAbort } from '../util/raceAbort';
import { redact, truncate } from '../util/redact';
import type { Sleep } from '../util/sleep';
import { backoffMs, retryAfterMs, type RetryPolicy } from './RetryPolicy';
import type { TokenFlow } from './TokenResponse';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface AuthTransportOptions {
  authUrl: string;
  authorization: string;
  /** Resolved on every call, so a test double installed later still applies. */
  fetch: () => FetchLike;
  timeoutMs: number;
  retry: RetryPolicy;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  logger: Logger;
}

export interface AuthPost {
  flow: TokenFlow;
  path: string;
  params: URLSearchParams;
  /** Values in this request that must never reach a message. */
  secrets: readonly (string | undefined)[];
}

/** A whole answer: the body is read inside the timeout, so a server that stalls mid-body is caught. */
export interface AuthAnswer {
  readonly response: Response;
  readonly text: string;
}

type Failure = { kind: 'network'; reason: string } | { kind: 'timeout' } | { kind: 'status'; answer: AuthAnswer };

const isTransientStatus = (status: number) => status === 429 || status >= 500;

/**
 * Sends form posts to the auth host with Basic auth, a per-attempt timeout, and bounded retries with
 * jittered backoff on network errors, timeouts, 5xx and 429 (honouring Retry-After). Other answers
 * are returned as they are, for the caller to parse.
 */
export class AuthTransport {
  readonly #o: AuthTransportOptions;

  constructor(options: AuthTransportOptions) {
    this.#o = options;
  }

  async post(request: AuthPost): Promise<AuthAnswer> {
    const { retry, logger } = this.#o;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.#attempt(request);
      if ('text' in outcome) return outcome;
      const retryAfter =
        outcome.kind === 'status' ? retryAfterMs(outcome.answer.response.headers.get('retry-after'), this.#o.clock.now()) : undefined;
      if (attempt > retry.maxRetries || (retryAfter !== undefined && retryAfter > retry.maxDelayMs)) {
        throw this.#unavailable(request, outcome, attempt);
      }
      const delayMs = retryAfter ?? backoffMs(retry, attempt - 1, this.#o.random);
      logger.warn(
        {
          event: 'ctp.auth.retry',
          flow: request.flow,
          attempt,
          delayMs,
          reason: outcome.kind,
          ...(outcome.kind === 'status' ? { status: outcome.answer.response.status } : {}),
        },
        'retrying auth request',
      );
      await this.#o.sleep(delayMs);
    }
  }

  async #attempt(request: AuthPost): Promise<AuthAnswer | Failure> {
    const controller = new AbortController();
    let timedOut = false;
    // setTimeout rather than AbortSignal.timeout: fake timers in tests drive it.
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#o.timeoutMs);
    try {
      const response = await raceAbort(this.#o.fetch()(`${this.#o.authUrl}${request.path}`, {
        method: 'POST',
        headers: {
          authorization: this.#o.authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: request.params.toString(),
        signal: controller.signal,
      }), controller.signal);
      const text = await raceAbort(response.text(), controller.signal);
      const answer = { response, text };
      return isTransientStatus(response.status) ? { kind: 'status', answer } : answer;
    } catch (cause) {
      if (timedOut) return { kind: 'timeout' };
      const reason = cause instanceof Error ? `${cause.message}${cause.cause instanceof Error ? `: ${cause.cause.message}` : ''}` : 'unknown error';
      return { kind: 'network', reason: truncate(redact(reason, request.secrets), 160) };
    } finally {
      clearTimeout(timer);
    }
  }

  #unavailable(request: AuthPost, failure: Failure, attempts: number): CtpAuthUnavailableError {
    const base = { flow: request.flow, attempts };
    const times = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    if (failure.kind === 'timeout') {
      return new CtpAuthUnavailableError(
        CtpErrorCode.AuthTimeout,
        `The auth server did not answer the ${request.flow} request within ${this.#o.timeoutMs} ms ${times}; try again later or raise timeoutMs.`,
        base,
      );
    }
    if (failure.kind === 'network') {
      return new CtpAuthUnavailableError(
        CtpErrorCode.AuthNetwork,
        `The auth server could not be reached for the ${request.flow} request ${times} (${failure.reason}); check CTP_AUTH_URL and the network.`,
        base,
      );
    }
    const { response, text } = failure.answer;
    const html = text.trimStart().startsWith('<') ? ' (an HTML page, likely from a proxy)' : '';
    return new CtpAuthUnavailableError(
      CtpErrorCode.AuthUnavailable,
      `The auth server answered ${response.status}${html} to the ${request.flow} request ${times}; try again later.`,
      { ...base, status: response.status, response },
    );
  }
}
