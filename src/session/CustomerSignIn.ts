import type { FetchLike } from '../auth/AuthTransport';
import type { SharedTokenProvider } from '../client/SharedTokenProvider';
import { CtpApiError } from '../errors/CtpApiError';
import { CtpInvalidCredentialsError } from '../errors/CtpInvalidCredentialsError';
import { raceAbort } from '../util/raceAbort';
import { redact, truncate } from '../util/redact';

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
 * Moves an anonymous session's carts and orders to the customer: the backend
 * `POST /{projectKey}/login` with the session's anonymousId, in the integration's name (its scope set
 * holds manage_customers). The password grant alone moves nothing. Called directly rather than
 * through the SDK so the password in the body can never end up in an SDK error.
 */
export class CustomerSignIn {
  constructor(private readonly o: CustomerSignInOptions) {}

  async signIn(request: SignInRequest): Promise<void> {
    const first = await this.#post(request, (await this.o.integration.get()).accessToken);
    if (first.status !== 401) return this.#check(first, request);
    // The integration token was revoked early: renew once, in the integration's own name.
    this.o.integration.invalidate(first.token);
    return this.#check(await this.#post(request, (await this.o.integration.get()).accessToken), request);
  }

  async #post(request: SignInRequest, token: string): Promise<{ status: number; text: string; token: string }> {
    const project = encodeURIComponent(this.o.projectKey);
    const path = request.storeKey === undefined ? `/${project}/login` : `/${project}/in-store/key=${encodeURIComponent(request.storeKey)}/login`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.o.timeoutMs);
    try {
      const response = await raceAbort(this.o.fetch()(`${this.o.apiUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          email: request.email,
          password: request.password,
          anonymousId: request.anonymousId,
          anonymousCartSignInMode: request.anonymousCartSignInMode,
        }),
        signal: controller.signal,
      }), controller.signal);
      return { status: response.status, text: await raceAbort(response.text(), controller.signal), token };
    } catch (cause) {
      const reason = cause instanceof Error ? truncate(redact(cause.message, [request.password, token]), 120) : 'unknown error';
      throw new CtpApiError(`Signing the customer in failed: the API could not be reached (${controller.signal.aborted ? `no answer within ${this.o.timeoutMs} ms` : reason}). The anonymous session was kept; try again.`);
    } finally {
      clearTimeout(timer);
    }
  }

  #check(answer: { status: number; text: string; token: string }, request: SignInRequest): void {
    if (answer.status >= 200 && answer.status < 300) return;
    let apiCode: string | undefined;
    let message: string | undefined;
    try {
      const body = JSON.parse(answer.text) as { message?: unknown; errors?: { code?: unknown }[] };
      if (typeof body.errors?.[0]?.code === 'string') apiCode = body.errors[0].code;
      if (typeof body.message === 'string') message = truncate(redact(body.message, [request.password, answer.token]));
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    if (apiCode === 'InvalidCredentials') throw new CtpInvalidCredentialsError({ status: answer.status });
    throw new CtpApiError(
      `Signing the customer in failed (${answer.status}${apiCode ? ` ${apiCode}` : ''}${message ? `: ${message}` : ''}). The anonymous session was kept; check the integration scopes (manage_customers) and try again.`,
      { status: answer.status, apiCode },
    );
  }
}
