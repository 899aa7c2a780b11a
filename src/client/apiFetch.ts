import type { FetchLike } from '../auth/AuthTransport';
import { backoffMs, retryAfterMs, type RetryPolicy } from '../auth/RetryPolicy';
import { deadline, MAX_TIMEOUT_MS, type Deadline } from '../util/deadline';
import { raceAbort } from '../util/raceAbort';
import type { Logger } from '../util/Logger';
import type { Sleep } from '../util/sleep';
import type { ApiCall, ApiCallFailure } from './ApiCall';
import { apiCodesOf } from './apiErrorOf';
import { AnswerTooLargeError, readAnswer } from './readAnswer';

/**
 * The request header that names the call a request belongs to (ApiRootFactory sets it on the request
 * it hands the engine; the fetch removes it before the request leaves). A header, because it is the
 * one part of a request both engines hand their fetch, whatever app middlewares do in between.
 */
export const CALL_HEADER = 'x-ctp-client-call';

export interface ApiFetchOptions {
  /** The app's fetch (or the global one), looked up per attempt. */
  fetch: () => FetchLike;
  /** Per attempt, until the whole answer is read. */
  timeoutMs: number;
  /** Cap on every answer's decompressed body. */
  maxAnswerBytes: number;
  retry: RetryPolicy;
  sleep: Sleep;
  random: () => number;
  logger: Logger;
  /** The call a request belongs to, by its CALL_HEADER. */
  callOf(tag: string | null): ApiCall | undefined;
  /**
   * Registers what ends an attempt or a backoff wait in flight when close() runs; returns what
   * unregisters it. Only what is in flight is held: a long-lived close signal merged into every
   * attempt would collect a listener per request for the life of the client.
   */
  onClose(abort: (reason: unknown) => void): () => void;
  onRetry?: (call: ApiCall) => void;
  onRecovery?: (call: ApiCall) => void;
}

/** Answers worth another attempt: 429 only with Retry-After. */
const RETRY_STATUS = new Set([429, 502, 503, 504]);
/** Network errors raised before a byte of the request was sent: safe to resend whatever the method. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
/** Statuses whose Response may not have a body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

interface Answer {
  readonly response: Response;
  readonly bytes: Uint8Array;
}

/**
 * The fetch given to the engine's HTTP middleware, so every attempt of a call happens below the app's
 * middlewares, the same way on both engines: each attempt under a deadline (the per-attempt timeout
 * narrowed by the call's own deadline, merged with the caller's signal and close()), its answer read
 * within the cap, network failures and 502/503/504 (429 with Retry-After) resent with full-jitter
 * backoff when the request is safe to repeat, and one 401 invalid_token recovered through the
 * builder's own token source. The engine gets only the last answer, already read: a Response of
 * bytes in memory, so no engine ever reads a body that can fail or grow (sdk-client-v2 reads error
 * bodies without a catch), and the cap holds whatever fetch the app gave (a Content-Length is only a
 * claim: a Response an app's fetch builds need not end its body there).
 */
export function apiFetch(o: ApiFetchOptions): FetchLike {
  return async (input, init) => {
    const headers = new Headers(init.headers);
    const call = o.callOf(headers.get(CALL_HEADER));
    headers.delete(CALL_HEADER);
    const request: RequestInit = { method: init.method ?? 'GET', headers };
    if (init.body !== undefined && init.body !== null) request.body = init.body;
    // Not a call of ours (an app middleware dropped the request's headers): one attempt, within the cap.
    if (call === undefined) return (await attempt(o, undefined, input, request)).response;
    for (;;) {
      let answer: Answer;
      try {
        answer = await attempt(o, call, input, request);
      } catch (error) {
        const neverSent = call.failure === 'network' && NEVER_SENT.has(networkCode(error) ?? '');
        const again = (call.failure === 'network' || call.failure === 'timeout') && (call.retryable || neverSent);
        if (!again || !(await pause(o, call, delayOf(o, call, undefined), undefined))) throw error;
        continue;
      }
      const status = answer.response.status;
      call.status = status;
      const body = status >= 400 ? jsonOf(answer.bytes) : undefined;
      call.apiCodes = apiCodesOf(body);
      if (status === 401 && !call.recovered && isInvalidToken(body)) {
        headers.set('Authorization', `Bearer ${await recover(o, call)}`);
        continue;
      }
      if (RETRY_STATUS.has(status) && call.retryable) {
        const retryAfter = retryAfterMs(answer.response.headers.get('retry-after'), Date.now());
        if (
          !(status === 429 && retryAfter === undefined) &&
          (await pause(o, call, delayOf(o, call, retryAfter), status))
        )
          continue;
      }
      return answer.response;
    }
  };
}

/**
 * The deadline of one attempt (`timeoutMs`: the per-attempt timeout) or recovery, narrowed by the
 * call's deadline, merged with the caller's signal, ended by close() too until `unregister` runs.
 *
 * @throws the caller's reason, or a TimeoutError past the call's deadline, recorded on the call.
 */
function windowOf(
  o: ApiFetchOptions,
  call: ApiCall | undefined,
  timeoutMs: number,
): { limit: Deadline; unregister: () => void } {
  const left = call?.deadline === undefined ? timeoutMs : Math.min(timeoutMs, call.deadline - Date.now());
  if (call?.signal?.aborted === true || left <= 0) {
    if (call !== undefined) call.failure = left > 0 ? 'cancelled' : 'timeout';
    throw left > 0
      ? call!.signal!.reason
      : new DOMException('The call reached its deadline before this attempt.', 'TimeoutError');
  }
  // The caller's signal and the deadline through AbortSignal.any (in deadline()); close() aborts it too.
  const limit = deadline(left, call?.signal);
  return { limit, unregister: o.onClose((reason) => limit.abort(reason)) };
}

/** How an attempt or recovery that threw ended, for the call's error. */
function failureOf(limit: Deadline, error: unknown): ApiCallFailure {
  if (limit.timedOut) return 'timeout';
  if (limit.signal.aborted) return 'cancelled';
  return error instanceof AnswerTooLargeError ? 'too-large' : 'network';
}

/** One attempt; a failure is recorded on the call (timeout, cancelled, too large, network). */
async function attempt(
  o: ApiFetchOptions,
  call: ApiCall | undefined,
  input: string,
  init: RequestInit,
): Promise<Answer> {
  if (call !== undefined) call.failure = undefined;
  const { limit, unregister } = windowOf(o, call, o.timeoutMs);
  try {
    // Raced as well: an app's fetch that ignores the signal still cannot hold the call past its deadline.
    const response = await raceAbort(o.fetch()(input, { ...init, signal: limit.signal }), limit.signal);
    const bytes = await readAnswer(response, o.maxAnswerBytes, limit.signal);
    const headers = new Headers(response.headers);
    // The body handed on is decoded and whole: these would describe the one on the wire.
    headers.delete('content-encoding');
    headers.delete('content-length');
    const body = NULL_BODY.has(response.status) || init.method === 'HEAD' ? null : bytes;
    return {
      response: new Response(body, { status: response.status, statusText: response.statusText, headers }),
      bytes,
    };
  } catch (error) {
    if (call !== undefined) {
      call.failure = failureOf(limit, error);
      call.cause = error;
    }
    throw error;
  } finally {
    limit.clear();
    unregister();
  }
}

/** The token source's fresh token after a 401 invalid_token, once per call; what the source throws ends the call as it is. */
async function recover(o: ApiFetchOptions, call: ApiCall): Promise<string> {
  call.recovered = true;
  o.logger.info(
    { event: 'ctp.api.invalid_token', owner: call.owner, correlationId: call.correlationId },
    'API answered 401 invalid_token; renewing the token once',
  );
  o.onRecovery?.(call);
  // Within the call's deadline, its signal and close(), like an attempt; no per-attempt timeout: the
  // token source's grants and storage calls have their own.
  const { limit, unregister } = windowOf(o, call, MAX_TIMEOUT_MS);
  try {
    return await raceAbort(call.source.recover(call.source.accessToken), limit.signal);
  } catch (error) {
    // What the source threw ends the call as it is; an end by the deadline, caller or close() as usual.
    if (limit.signal.aborted) {
      call.failure = failureOf(limit, error);
      call.cause = error;
    } else call.thrown = error;
    throw error;
  } finally {
    limit.clear();
    unregister();
  }
}

/** The wait before the next attempt, or undefined when there is none: retries used up, a wait past the cap or the call's deadline. */
function delayOf(o: ApiFetchOptions, call: ApiCall, retryAfter: number | undefined): number | undefined {
  if (call.retries >= o.retry.maxRetries) return undefined;
  const delay = retryAfter ?? backoffMs(o.retry, call.retries, o.random);
  if (delay > o.retry.maxDelayMs) return undefined;
  if (call.deadline !== undefined && Date.now() + delay >= call.deadline) return undefined;
  return delay;
}

/** Waits `delayMs` before a resend; false when there is no resend (no delay), throws when the call is cancelled meanwhile. */
async function pause(
  o: ApiFetchOptions,
  call: ApiCall,
  delayMs: number | undefined,
  status: number | undefined,
): Promise<boolean> {
  if (delayMs === undefined) return false;
  call.retries += 1;
  o.onRetry?.(call);
  o.logger.info(
    {
      event: 'ctp.api.retry',
      method: call.method,
      uriTemplate: call.uriTemplate,
      status,
      failure: call.failure,
      retries: call.retries,
      delayMs,
      correlationId: call.correlationId,
    },
    'Sending an API request again after a transient failure',
  );
  // close() and the caller's signal end the wait and its timer (an injected sleep that ignores the
  // signal is raced as well).
  const stop = new AbortController();
  const unregister = o.onClose((reason) => stop.abort(reason));
  const signal = call.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, call.signal]);
  try {
    await raceAbort(o.sleep(delayMs, signal), signal);
  } catch (error) {
    if (signal.aborted) call.failure = 'cancelled';
    throw error;
  } finally {
    unregister();
  }
  return true;
}

function jsonOf(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A 401 with no readable body counts as an invalid token too: the platform answers 401 for nothing else. */
function isInvalidToken(body: unknown): boolean {
  const b = body as { error?: unknown; errors?: { code?: unknown }[] } | undefined;
  const code = b?.error ?? b?.errors?.[0]?.code;
  return code === undefined || code === 'invalid_token';
}

function networkCode(error: unknown): string | undefined {
  const code = ((error as { cause?: { code?: unknown } } | undefined)?.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
