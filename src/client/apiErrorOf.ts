import { CtpApiError } from '../errors/CtpApiError';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { redactField } from '../util/redact';
import type { ApiCall } from './ApiCall';

/** The SDK error's parts both engines share (after the engine unwrapped its own envelope). */
interface SdkFailure {
  statusCode?: unknown;
  body?: { errors?: { code?: unknown }[] } | unknown;
}

const CODE = /^[A-Za-z0-9_.-]{1,100}$/;

/** The `errors[].code` list of an API answer: names only (e.g. `ConcurrentModification`), at most 20. */
function apiCodesOf(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  const codes: string[] = [];
  for (const e of errors.slice(0, 20)) {
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && CODE.test(code)) codes.push(code);
  }
  return codes;
}

function codeForStatus(status: number): [CtpErrorCode, string] {
  if (status === 400) return [CtpErrorCode.ApiBadRequest, 'the API refused the request as invalid (400); see apiCodes, fix the request'];
  if (status === 401) return [CtpErrorCode.ApiUnauthorized, 'the API refused the token (401) even after renewing it once; check the API client and its scopes'];
  if (status === 403) return [CtpErrorCode.ApiForbidden, "the token lacks a scope this endpoint needs (403); add it to the scope set of this token's owner"];
  if (status === 404) return [CtpErrorCode.ApiNotFound, 'the resource was not found (404)'];
  if (status === 409) return [CtpErrorCode.ApiConflict, 'the API answered a conflict (409); for ConcurrentModification re-read and retry with retryOnConflict'];
  if (status === 429) return [CtpErrorCode.ApiRateLimited, 'the API is rate limiting (429) after the allowed retries; slow down'];
  if (status >= 500) return [CtpErrorCode.ApiUnavailable, 'the API failed (5xx) after the allowed retries; try again later'];
  return [CtpErrorCode.ApiFailed, 'the API answered an error status; see status and apiCodes'];
}

/**
 * The CtpApiError for a failed call, from the engine's error and what the transport recorded. A
 * CtpError (e.g. a session that expired during the 401 recovery) passes through unchanged; anything
 * that is not an SDK failure (an app middleware's own error) too.
 */
export function apiErrorOf(error: unknown, failure: SdkFailure | undefined, call: ApiCall): unknown {
  if (error instanceof CtpError) return error;
  const where = `${call.method} ${call.uriTemplate}`;
  const common = { cause: error, method: call.method, uriTemplate: call.uriTemplate, correlationId: call.correlationId, retries: call.retries };
  if (call.failure === 'cancelled') {
    return new CtpApiError(`${where}: the call was cancelled through its AbortSignal (or close()); nothing to fix if that was meant.`, { ...common, code: CtpErrorCode.ApiCancelled, status: 499 });
  }
  if (call.failure === 'timeout') {
    return new CtpApiError(`${where}: the API did not answer within the call's deadline; raise apiTimeoutMs or the call's timeoutMs, or try again.`, { ...common, code: CtpErrorCode.ApiTimeout, status: 504 });
  }
  let status = failure?.statusCode;
  // An error answer the engine could not read (ts-client on an HTML 502) still had its status.
  if ((status === 0 || status === undefined) && call.status >= 400) status = call.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    if (failure === undefined) return error;
    // No answer, or an answer whose body broke off (the SDK's network error either way).
    const cause = call.cause ?? failure;
    const reason = cause instanceof Error ? `${cause.message}${codeSuffix(cause)}` : undefined;
    return new CtpApiError(`${where}: the API could not be reached (refused, reset or DNS; see reason); check CTP_API_URL and the network, or try again.`, {
      ...common,
      code: CtpErrorCode.ApiNetwork,
      status: 502,
      reason: redactField(reason, [], 160),
    });
  }
  const [code, text] = codeForStatus(status);
  return new CtpApiError(`${where}: ${text}.`, { ...common, code, status, apiCodes: apiCodesOf((failure as { body?: unknown }).body) });
}

function codeSuffix(error: Error): string {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? ` (${code})` : '';
}
