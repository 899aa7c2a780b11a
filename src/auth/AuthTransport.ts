import { CtpAnswerRefusedError } from '../errors/CtpAnswerRefusedError';
import { CtpAuthUnavailableError } from '../errors/CtpAuthUnavailableError';
import { CtpConfigError } from '../errors/CtpConfigError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import type { Clock } from '../util/Clock';
import { deadline, isValidTimeoutMs, MAX_TIMEOUT_MS } from '../util/deadline';
import type { Logger } from '../util/Logger';
import { raceAbort } from '../util/raceAbort';
import { redact, truncate } from '../util/redact';
import type { Sleep } from '../util/sleep';
import { MAX_AUTH_ANSWER_BYTES, readCappedText } from './readCappedText';
import { backoffMs, retryAfterMs, type RetryPolicy } from './RetryPolicy';
import type { TokenFlow } from './TokenResponse';

/**
 * The default per-attempt timeout on the auth host. A token answer takes well under a second; with
 * the default two retries and their backoff (at most 200 + 400 ms) a hung auth host holds a request
 * at most 3 * 3 s + 0.6 s = 9.6 s in all, instead of the half minute three 10 s attempts took.
 */
export const DEFAULT_AUTH_TIMEOUT_MS = 3_000;

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface AuthTransportOptions {
  authUrl: string;
  authorization: string;
  /** Resolved on every call, so a test double installed later still applies. */
  fetch: () => FetchLike;
  timeoutMs: number;
  /** How the timeout is named to the user in messages: `authTimeoutMs` unless the caller says otherwise (the doctor). */
  timeoutOption?: string;
  retry: RetryPolicy;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  logger: Logger;
  /** Cap on one answer's body in bytes (wire and decoded); MAX_AUTH_ANSWER_BYTES unless a test says otherwise. */
  maxAnswerBytes?: number;
}

export interface AuthPost {
  flow: TokenFlow;
  path: string;
  params: URLSearchParams;
  /** Values in this request that must never reach a message. */
  secrets: readonly (string | undefined)[];
  /** The caller's cancellation, merged with each attempt's deadline. */
  signal?: AbortSignal;
}

/** A whole answer: the body is read inside the timeout, so a server that stalls mid-body is caught. */
export interface AuthAnswer {
  readonly response: Response;
  readonly text: string;
}

type Failure = { kind: 'network'; reason: string } | { kind: 'timeout' } | { kind: 'status'; answer: AuthAnswer };

/**
 * The answers worth sending the same grant again for: 408 (the server timed the request out), 425
 * (too early), 429 and 5xx. Everything else is final: a 400/401/403/404 answers the request itself
 * (wrong credentials, a WAF or proxy refusing it), and repeating a password or refresh token to a
 * host that refused it only multiplies the refusals (authRetries.test.ts pins both lists).
 */
const isTransientStatus = (status: number) => status === 408 || status === 425 || status === 429 || status >= 500;

/**
 * Sends form posts to the auth host with Basic auth, a per-attempt deadline, and bounded retries with
 * jittered backoff on network errors, timeouts, 408, 425, 429 and 5xx (honouring Retry-After). Redirects are
 * never followed and answers are read up to a size cap: both are refused at once with a typed error,
 * not retried. Other answers are returned as they are, for the caller to parse.
 */
export class AuthTransport {
  readonly #o: AuthTransportOptions;

  constructor(options: AuthTransportOptions) {
    // Checked here, at start-up: above 2^31-1 setTimeout fires after 1 ms and every request would time out at once.
    if (!isValidTimeoutMs(options.timeoutMs))
      throw new CtpConfigError([
        `${options.timeoutOption ?? 'authTimeoutMs'} must be above 0 and at most ${MAX_TIMEOUT_MS} ms`,
      ]);
    this.#o = options;
  }

  async post(request: AuthPost): Promise<AuthAnswer> {
    const { retry, logger } = this.#o;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.#attempt(request);
      if ('text' in outcome) return outcome;
      const retryAfter =
        outcome.kind === 'status'
          ? retryAfterMs(outcome.answer.response.headers.get('retry-after'), this.#o.clock.now())
          : undefined;
      if (
        attempt > retry.maxRetries ||
        (retryAfter !== undefined && retryAfter > retry.maxDelayMs) ||
        request.signal?.aborted
      ) {
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
    const limit = this.#o.maxAnswerBytes ?? MAX_AUTH_ANSWER_BYTES;
    const due = deadline(this.#o.timeoutMs, request.signal);
    let response: Response;
    let text: string;
    try {
      // The deadline's signal asks fetch (and undici) to stop and free the socket; raceAbort is what
      // stops *waiting*. A signal cannot settle a promise: a custom fetch that ignores it would hold
      // the caller for ever without the race (AuthTransport.test.ts, "when the auth host hangs").
      response = await raceAbort(
        this.#o.fetch()(`${this.#o.authUrl}${request.path}`, {
          method: 'POST',
          headers: {
            authorization: this.#o.authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
            // A token answer is tiny: asking for no compression keeps wire bytes and decoded bytes equal.
            'accept-encoding': 'identity',
          },
          body: request.params.toString(),
          // A 307/308 would re-post the form, with a password or refresh token in it, to wherever it points.
          redirect: 'manual',
          signal: due.signal,
        }),
        due.signal,
      );
      // `redirected`: a custom fetch that ignored `redirect: 'manual'`; the answer is still not trusted.
      if ((response.status >= 300 && response.status < 400) || response.redirected) {
        await response.body?.cancel().catch(() => undefined);
        throw this.#refused(CtpErrorCode.RedirectRefused, request, response.status);
      }
      const read = await readCappedText(response, limit, due.signal);
      if (!read.ok) throw this.#refused(CtpErrorCode.AnswerTooLarge, request, response.status, limit);
      text = read.text;
    } catch (cause) {
      if (cause instanceof CtpAnswerRefusedError) throw cause;
      if (due.timedOut) return { kind: 'timeout' };
      const reason =
        cause instanceof Error
          ? `${cause.message}${cause.cause instanceof Error ? `: ${cause.cause.message}` : ''}`
          : 'unknown error';
      return {
        kind: 'network',
        reason: truncate(redact(reason, [...request.secrets, this.#o.authorization.replace(/^Basic /, '')]), 160),
      };
    } finally {
      due.clear();
    }
    const answer = { response, text };
    return isTransientStatus(response.status) ? { kind: 'status', answer } : answer;
  }

  #refused(
    code: typeof CtpErrorCode.RedirectRefused | typeof CtpErrorCode.AnswerTooLarge,
    request: AuthPost,
    status: number,
    limit?: number,
  ): CtpAnswerRefusedError {
    const options = {
      host: 'auth' as const,
      flow: request.flow,
      status,
      ...(limit === undefined ? {} : { limitBytes: limit }),
    };
    return code === CtpErrorCode.RedirectRefused
      ? new CtpAnswerRefusedError(
          code,
          `The auth server answered the ${request.flow} request with a redirect, which is never followed; check CTP_AUTH_URL points at the commercetools auth host itself.`,
          options,
        )
      : new CtpAnswerRefusedError(
          code,
          `The auth server's answer to the ${request.flow} request was larger than ${limit} bytes and was not read; check CTP_AUTH_URL and any proxy in front of it.`,
          options,
        );
  }

  #unavailable(request: AuthPost, failure: Failure, attempts: number): CtpAuthUnavailableError {
    const base = { flow: request.flow, attempts };
    const times = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    if (failure.kind === 'timeout') {
      return new CtpAuthUnavailableError(
        CtpErrorCode.AuthTimeout,
        `The auth server did not answer the ${request.flow} request within ${this.#o.timeoutMs} ms ${times}; try again later or raise ${this.#o.timeoutOption ?? 'authTimeoutMs'}.`,
        base,
      );
    }
    if (failure.kind === 'network') {
      return new CtpAuthUnavailableError(
        CtpErrorCode.AuthNetwork,
        `The auth server could not be reached for the ${request.flow} request ${times} (the error is in .reason); check CTP_AUTH_URL and the network.`,
        { ...base, reason: failure.reason },
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
