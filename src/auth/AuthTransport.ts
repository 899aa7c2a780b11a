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

/** Per attempt: with the default two retries a hung auth host holds a request at most 3 * 3 s + 0.6 s of backoff. */
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
 * Only 408, 425, 429 and 5xx are worth sending the same grant again: a 400/401/403/404 answers the request itself,
 * and repeating a password or refresh token to a host that refused it multiplies the refusals (authRetries.test.ts).
 */
const isTransientStatus = (status: number) => status === 408 || status === 425 || status === 429 || status >= 500;

/**
 * Form posts to the auth host with Basic auth, a per-attempt deadline and bounded, jittered retries (honouring
 * Retry-After). A redirect or an answer over the size cap is refused at once; other answers go back unparsed.
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
      if (attempt > retry.maxRetries || (retryAfter ?? 0) > retry.maxDelayMs || request.signal?.aborted)
        throw this.#unavailable(request, outcome, attempt);
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
      // The signal makes undici free the socket; raceAbort stops the waiting, which a custom fetch that
      // ignores the signal would otherwise hold for ever ("when the auth host hangs").
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
        throw this.#refused(request, response.status);
      }
      const read = await readCappedText(response, limit, due.signal);
      if (!read.ok) throw this.#refused(request, response.status, limit);
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

  /** A redirect, or (with `limit`) an answer too large to read. */
  #refused({ flow }: AuthPost, status: number, limit?: number): CtpAnswerRefusedError {
    const redirect = limit === undefined;
    const message = redirect
      ? `The auth server answered the ${flow} request with a redirect, which is never followed; check CTP_AUTH_URL points at the commercetools auth host itself.`
      : `The auth server's answer to the ${flow} request was larger than ${limit} bytes and was not read; check CTP_AUTH_URL and any proxy in front of it.`;
    const code = redirect ? CtpErrorCode.RedirectRefused : CtpErrorCode.AnswerTooLarge;
    return new CtpAnswerRefusedError(code, message, {
      host: 'auth',
      flow,
      status,
      ...(redirect ? {} : { limitBytes: limit }),
    });
  }

  #unavailable(request: AuthPost, failure: Failure, attempts: number): CtpAuthUnavailableError {
    const base = { flow: request.flow, attempts };
    const times = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    if (failure.kind === 'timeout')
      return new CtpAuthUnavailableError(
        CtpErrorCode.AuthTimeout,
        `The auth server did not answer the ${request.flow} request within ${this.#o.timeoutMs} ms ${times}; try again later or raise ${this.#o.timeoutOption ?? 'authTimeoutMs'}.`,
        base,
      );
    if (failure.kind === 'network')
      return new CtpAuthUnavailableError(
        CtpErrorCode.AuthNetwork,
        `The auth server could not be reached for the ${request.flow} request ${times} (the error is in .reason); check CTP_AUTH_URL and the network.`,
        { ...base, reason: failure.reason },
      );
    const { response, text } = failure.answer;
    const html = text.trimStart().startsWith('<') ? ' (an HTML page, likely from a proxy)' : '';
    return new CtpAuthUnavailableError(
      CtpErrorCode.AuthUnavailable,
      `The auth server answered ${response.status}${html} to the ${request.flow} request ${times}; try again later.`,
      { ...base, status: response.status, response },
    );
  }
}
