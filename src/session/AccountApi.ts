import type { FetchLike } from '../auth/AuthTransport';
import { readCappedText } from '../auth/readCappedText';
import type { SharedTokenProvider } from '../tokens/SharedTokenProvider';
import { CtpAnswerRefusedError } from '../errors/CtpAnswerRefusedError';
import { CtpApiError } from '../errors/CtpApiError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { deadline } from '../util/deadline';
import { raceAbort } from '../util/raceAbort';
import { redactField } from '../util/redact';

export interface AccountApiOptions {
  apiUrl: string;
  projectKey: string;
  /** Resolved on every call, so a test double installed later still applies. */
  fetch: () => FetchLike;
  timeoutMs: number;
  /** Whose name `asIntegration` calls in; its scope set holds manage_customers. */
  integration: Pick<SharedTokenProvider, 'get' | 'invalidate'>;
}

export interface AccountRequest {
  /** Names the call in messages: `sign-in`, `sign-up`... */
  operation: string;
  /** Kept on a CtpAnswerRefusedError: `login` for the sign-in, `account` for the account calls. */
  flow: 'login' | 'account';
  method: 'GET' | 'POST';
  /** Below the project (and the Store's in-store path when storeKey is set), e.g. `/customers`. */
  path: string;
  storeKey: string | undefined;
  body?: unknown;
  /** Every secret in the request (passwords, token values): redacted from whatever an error keeps. */
  secrets: readonly string[];
  /** The integration's scope the call needs, named in a failure (default manage_customers). */
  scope?: string;
}

/** A whole answer that was neither a redirect nor too large; any status. */
export interface AccountAnswer {
  status: number;
  /** The JSON object answered, or undefined (not JSON, or not an object: a proxy's page). */
  body: Record<string, unknown> | undefined;
  /** The answer's `errors[]` objects, and the first one's code. */
  errors: Record<string, unknown>[];
  apiCode: string | undefined;
  /** The request's secrets and its bearer. */
  secrets: readonly string[];
}

/** An account call (a GET without a body, a POST with one); `secrets` are those in the body. */
export function accountCall(
  operation: string,
  path: string,
  storeKey: string | undefined,
  body?: unknown,
  secrets: readonly string[] = [],
): AccountRequest {
  return { operation, flow: 'account', method: body === undefined ? 'GET' : 'POST', path, storeKey, body, secrets };
}

/** A CustomerSignInResult is a few KiB; a cart with hundreds of line items stays well under 1 MiB. */
export const MAX_ACCOUNT_ANSWER_BYTES = 1024 * 1024;

/**
 * The one way the sign-in, the account operations and Checkout call commercetools. Not through the
 * SDK, so a password or token value in a body can never end up in an SDK error; like the auth
 * requests: a deadline that aborts the request, a size cap on the answer, no redirect following
 * (bodies carry passwords), fixed messages, the platform's code and message only in redacted fields.
 */
export class AccountApi {
  constructor(private readonly o: AccountApiOptions) {}

  /** A 401: the token was revoked early; the one sent (not a fresher one) is invalidated, and the call sent once more. */
  async asIntegration(request: AccountRequest): Promise<AccountAnswer> {
    const refused = (await this.o.integration.get()).accessToken;
    const first = await this.send(request, refused);
    if (first.status !== 401) return first;
    this.o.integration.invalidate(refused);
    return this.send(request, (await this.o.integration.get()).accessToken);
  }

  async send(request: AccountRequest, bearer: string): Promise<AccountAnswer> {
    const project = encodeURIComponent(this.o.projectKey);
    const store = request.storeKey === undefined ? '' : `/in-store/key=${encodeURIComponent(request.storeKey)}`;
    const secrets = [...request.secrets, bearer];
    const json = request.body === undefined ? undefined : JSON.stringify(request.body);
    const due = deadline(this.o.timeoutMs);
    try {
      // The signal asks fetch to stop and free the socket; raceAbort stops the waiting, also for a
      // custom fetch that ignores the signal.
      const response = await raceAbort(
        this.o.fetch()(`${this.o.apiUrl}/${project}${store}${request.path}`, {
          method: request.method,
          headers: {
            authorization: `Bearer ${bearer}`,
            accept: 'application/json',
            ...(json === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(json === undefined ? {} : { body: json }),
          // A 307/308 would re-send a password or token to wherever it points.
          redirect: 'manual',
          signal: due.signal,
        }),
        due.signal,
      );
      const { status } = response;
      const details = { host: 'api', flow: request.flow, status } as const;
      // `redirected`: a custom fetch that ignored `redirect: 'manual'`; the answer is still not trusted.
      if ((status >= 300 && status < 400) || response.redirected) {
        await response.body?.cancel().catch(() => undefined);
        throw new CtpAnswerRefusedError(
          CtpErrorCode.RedirectRefused,
          `The API answered the ${request.operation} with a redirect, which is never followed; check CTP_API_URL points at the commercetools API host itself.`,
          details,
        );
      }
      const read = await readCappedText(response, MAX_ACCOUNT_ANSWER_BYTES, due.signal);
      if (!read.ok)
        throw new CtpAnswerRefusedError(
          CtpErrorCode.AnswerTooLarge,
          `The API's answer to the ${request.operation} was larger than ${MAX_ACCOUNT_ANSWER_BYTES} bytes and was not read; nothing of the session changed. Check CTP_API_URL and any proxy in front of it.`,
          { ...details, limitBytes: MAX_ACCOUNT_ANSWER_BYTES },
        );
      return { status, secrets, ...parse(read.text) };
    } catch (cause) {
      if (cause instanceof CtpAnswerRefusedError) throw cause;
      if (due.timedOut)
        throw new CtpApiError(
          `The ${request.operation} failed: the API did not answer within ${this.o.timeoutMs} ms; nothing of the session changed. Try again.`,
        );
      const reason = cause instanceof Error ? cause.message : 'unknown error';
      throw new CtpApiError(
        `The ${request.operation} failed: the API could not be reached (the error is in .reason); nothing of the session changed. Try again.`,
        { reason: redactField(reason, secrets, 120) },
      );
    } finally {
      due.clear();
    }
  }

  /** An answer the caller did not expect: the platform's code and message in redacted fields, never in the message. */
  failure(request: AccountRequest, answer: AccountAnswer): CtpApiError {
    const message = answer.body?.['message'];
    return new CtpApiError(
      `The ${request.operation} failed (status, code and message of the API are in .status, .apiCode and .apiMessage); nothing of the session changed. Check the integration's scopes (${request.scope ?? 'manage_customers'}) and try again.`,
      {
        status: answer.status,
        apiCode: redactField(answer.apiCode, answer.secrets, 100),
        apiMessage: redactField(typeof message === 'string' ? message : undefined, answer.secrets),
      },
    );
  }
}

function parse(text: string): Pick<AccountAnswer, 'body' | 'errors' | 'apiCode'> {
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const raw = body?.['errors'];
  const errors = Array.isArray(raw)
    ? raw.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
    : [];
  const code = errors[0]?.['code'];
  return { body, errors, apiCode: typeof code === 'string' ? code : undefined };
}
