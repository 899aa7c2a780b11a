import { CtpApiError } from '../errors/CtpApiError';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { redactField } from '../util/redact';
import type { ApiCall } from './ApiCall';

const CODE = /^[A-Za-z0-9_.-]{1,100}$/;

/** The `errors[].code` list of an API answer: names only (e.g. `ConcurrentModification`), at most 20. */
export function apiCodesOf(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  const codes = errors.slice(0, 20).map((e) => (e as { code?: unknown } | null)?.code);
  return codes.filter((code): code is string => typeof code === 'string' && CODE.test(code));
}

/** The code and advice for an error status (any other 5xx: SERVER_ERROR, the rest: OTHER_STATUS). */
const BY_STATUS: Record<number, readonly [CtpErrorCode, string]> = {
  400: [CtpErrorCode.ApiBadRequest, 'the API refused the request as invalid (400); see apiCodes, fix the request'],
  401: [
    CtpErrorCode.ApiUnauthorized,
    'the API refused the token (401) even after renewing it once; check the API client and its scopes',
  ],
  403: [
    CtpErrorCode.ApiForbidden,
    "the token lacks a scope this endpoint needs (403); add it to the scope set of this token's owner",
  ],
  404: [CtpErrorCode.ApiNotFound, 'the resource was not found (404)'],
  409: [
    CtpErrorCode.ApiConflict,
    'the API answered a conflict (409); for ConcurrentModification re-read and retry with retryOnConflict',
  ],
  429: [CtpErrorCode.ApiRateLimited, 'the API is rate limiting (429) after the allowed retries; slow down'],
};
const SERVER_ERROR = [
  CtpErrorCode.ApiUnavailable,
  'the API failed (5xx) after the allowed retries; try again later',
] as const;
const OTHER_STATUS = [CtpErrorCode.ApiFailed, 'the API answered an error status; see status and apiCodes'] as const;

/**
 * The error a failed call rejects with, from what its fetch recorded (the engine's error as `cause`). The token
 * source's error in a 401 recovery, any other CtpError, and an app middleware's own error pass through.
 */
export function apiErrorOf(error: unknown, call: ApiCall, maxAnswerBytes: number): unknown {
  if (call.thrown !== undefined) return call.thrown;
  if (error instanceof CtpError) return error;
  const { method, uriTemplate, correlationId, retries } = call;
  const where = `${method} ${uriTemplate}`;
  const common = { cause: error, method, uriTemplate, correlationId, retries };
  switch (call.failure) {
    case 'cancelled':
      return new CtpApiError(
        `${where}: the call was cancelled through its AbortSignal (or close()); nothing to fix if that was meant.`,
        { ...common, code: CtpErrorCode.ApiCancelled, status: 499 },
      );
    case 'timeout':
      return new CtpApiError(
        `${where}: the API did not answer within the call's deadline; raise apiTimeoutMs or the call's timeoutMs, or try again.`,
        { ...common, code: CtpErrorCode.ApiTimeout, status: 504 },
      );
    case 'too-large':
      return new CtpApiError(
        `${where}: the API's answer was larger than api.maxAnswerBytes (${maxAnswerBytes} bytes decompressed) and was not read; narrow the query (limit, expand, fields) or raise the cap.`,
        { ...common, code: CtpErrorCode.ApiAnswerTooLarge, status: 502 },
      );
    case 'network':
      return new CtpApiError(
        `${where}: the API could not be reached (refused, reset or DNS; see reason); check CTP_API_URL and the network, or try again.`,
        { ...common, code: CtpErrorCode.ApiNetwork, status: 502, reason: reasonOf(call) },
      );
  }
  if (call.status >= 400) {
    const [code, text] = BY_STATUS[call.status] ?? (call.status >= 500 ? SERVER_ERROR : OTHER_STATUS);
    return new CtpApiError(`${where}: ${text}.`, { ...common, code, status: call.status, apiCodes: call.apiCodes });
  }
  if (call.status === 0) return error;
  // A success status whose answer the engine could not read (ts-client 4 on a body that is not JSON).
  return new CtpApiError(
    `${where}: the API answered something the SDK could not read (see cause); check CTP_API_URL and any proxy in front of it.`,
    { ...common, code: CtpErrorCode.ApiFailed, status: 502 },
  );
}

/** The network error's message and code, without the call's token. */
function reasonOf(call: ApiCall): string | undefined {
  if (!(call.cause instanceof Error)) return undefined;
  const code = (call.cause.cause as { code?: unknown } | undefined)?.code;
  const reason = typeof code === 'string' ? `${call.cause.message} (${code})` : call.cause.message;
  return redactField(reason, [call.source.accessToken], 160);
}
