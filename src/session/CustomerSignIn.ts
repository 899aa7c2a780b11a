import type { FetchLike } from '../auth/AuthTransport';
import { MAX_AUTH_ANSWER_BYTES, readCappedText } from '../auth/readCappedText';
import type { SharedTokenProvider } from '../tokens/SharedTokenProvider';
import { CtpAnswerRefusedError } from '../errors/CtpAnswerRefusedError';
import { CtpApiError } from '../errors/CtpApiError';
import { CtpConfigError } from '../errors/CtpConfigError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpInvalidCredentialsError } from '../errors/CtpInvalidCredentialsError';
import { deadline, isValidTimeoutMs, MAX_TIMEOUT_MS } from '../util/deadline';
import { raceAbort } from '../util/raceAbort';
import { redactField } from '../util/redact';

export type AnonymousCartSignInMode = 'MergeWithExistingCustomerCart' | 'UseAsNewActiveCustomerCart';

export interface SignInRequest {
  email: string;
  password: string;
  anonymousId: string;
  anonymousCartSignInMode: AnonymousCartSignInMode;
  storeKey?: string | undefined;
}

export interface CustomerSignInOptions {
  apiUrl: string;
  projectKey: string;
  fetch: () => FetchLike;
  timeoutMs: number;
  integration: SharedTokenProvider;
}

/**
 * Cap on the sign-in answer: a CustomerSignInResult (customer and cart) is a few KiB; a cart with
 * hundreds of line items stays well under 1 MiB. Beyond that the answer is not read.
 */
export const MAX_SIGN_IN_ANSWER_BYTES = Math.max(MAX_AUTH_ANSWER_BYTES, 1024 * 1024);

interface SignInAnswer {
  status: number;
  text: string;
  token: string;
}

/**
 * Moves an anonymous session's carts and orders to the customer: the backend
 * `POST /{projectKey}/login` with the session's anonymousId, in the integration's name (its scope set
 * holds manage_customers). The password grant alone moves nothing. Called directly rather than
 * through the SDK so the password in the body can never end up in an SDK error. Like the auth
 * requests: one deadline that aborts the request (and frees its socket), a size cap on the answer,
 * no redirect following (the body holds the password), and fixed messages.
 */
export class CustomerSignIn {
  constructor(private readonly o: CustomerSignInOptions) {
    // Above 2^31-1 setTimeout fires after 1 ms: every sign-in would time out at once.
    if (!isValidTimeoutMs(o.timeoutMs))
      throw new CtpConfigError([`apiTimeoutMs must be above 0 and at most ${MAX_TIMEOUT_MS} ms`]);
  }

  /**
   * Gets the integration token ready (a grant if none is cached), so a sign-in that follows the
   * password grant does not wait for one more round trip: called alongside the password grant.
   * Never rejects; signIn() gets the token again and reports its failure.
   */
  prepare(): Promise<void> {
    return this.o.integration.get().then(
      () => undefined,
      () => undefined,
    );
  }

  async signIn(request: SignInRequest): Promise<void> {
    const first = await this.#post(request, (await this.o.integration.get()).accessToken);
    if (first.status !== 401) return this.#check(first, request);
    // The integration token was revoked early: renew once, in the integration's own name.
    this.o.integration.invalidate(first.token);
    return this.#check(await this.#post(request, (await this.o.integration.get()).accessToken), request);
  }

  async #post(request: SignInRequest, token: string): Promise<SignInAnswer> {
    const project = encodeURIComponent(this.o.projectKey);
    const path =
      request.storeKey === undefined
        ? `/${project}/login`
        : `/${project}/in-store/key=${encodeURIComponent(request.storeKey)}/login`;
    const due = deadline(this.o.timeoutMs);
    try {
      const response = await raceAbort(
        this.o.fetch()(`${this.o.apiUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            email: request.email,
            password: request.password,
            anonymousId: request.anonymousId,
            anonymousCartSignInMode: request.anonymousCartSignInMode,
          }),
          // A 307/308 would re-send the password to wherever it points.
          redirect: 'manual',
          signal: due.signal,
        }),
        due.signal,
      );
      if ((response.status >= 300 && response.status < 400) || response.redirected) {
        await response.body?.cancel().catch(() => undefined);
        throw new CtpAnswerRefusedError(
          CtpErrorCode.RedirectRefused,
          'The API answered the sign-in with a redirect, which is never followed; check CTP_API_URL points at the commercetools API host itself.',
          { host: 'api', flow: 'login', status: response.status },
        );
      }
      const read = await readCappedText(response, MAX_SIGN_IN_ANSWER_BYTES, due.signal);
      if (!read.ok) {
        throw new CtpAnswerRefusedError(
          CtpErrorCode.AnswerTooLarge,
          "The API's answer to the sign-in was larger than the cap and was not read. The anonymous session was kept; check CTP_API_URL and any proxy in front of it.",
          { host: 'api', flow: 'login', status: response.status, limitBytes: MAX_SIGN_IN_ANSWER_BYTES },
        );
      }
      return { status: response.status, text: read.text, token };
    } catch (cause) {
      if (cause instanceof CtpAnswerRefusedError) throw cause;
      if (due.timedOut) {
        throw new CtpApiError(
          `Signing the customer in failed: the API did not answer within ${this.o.timeoutMs} ms. The anonymous session was kept; try again.`,
        );
      }
      const reason = cause instanceof Error ? cause.message : 'unknown error';
      throw new CtpApiError(
        'Signing the customer in failed: the API could not be reached (the error is in .reason). The anonymous session was kept; try again.',
        {
          reason: redactField(reason, [request.password, token], 120),
        },
      );
    } finally {
      due.clear();
    }
  }

  #check(answer: SignInAnswer, request: SignInRequest): void {
    if (answer.status >= 200 && answer.status < 300) return;
    let apiCode: string | undefined;
    let apiMessage: string | undefined;
    try {
      const body = JSON.parse(answer.text) as { message?: unknown; errors?: { code?: unknown }[] };
      if (typeof body.errors?.[0]?.code === 'string') apiCode = body.errors[0].code;
      if (typeof body.message === 'string') apiMessage = body.message;
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    if (apiCode === 'InvalidCredentials') throw new CtpInvalidCredentialsError({ status: answer.status });
    // The API's code and message are the server's: kept redacted in fields, never in the message.
    const secrets = [request.password, answer.token];
    throw new CtpApiError(
      'Signing the customer in failed (status, code and message of the API are in .status, .apiCode and .apiMessage). The anonymous session was kept; check the integration scopes (manage_customers) and try again.',
      {
        status: answer.status,
        apiCode: redactField(apiCode, secrets, 100),
        apiMessage: redactField(apiMessage, secrets),
      },
    );
  }
}
