import type { FetchLike } from '../../auth/AuthTransport';
import { readCappedText } from '../../auth/readCappedText';
import type { SharedTokenProvider } from '../../tokens/SharedTokenProvider';
import { CtpAccountError, type CtpFieldError } from '../../errors/CtpAccountError';
import { CtpAnswerRefusedError } from '../../errors/CtpAnswerRefusedError';
import { CtpApiError } from '../../errors/CtpApiError';
import { CtpErrorCode } from '../../errors/CtpErrorCode';
import { CtpInvalidCredentialsError } from '../../errors/CtpInvalidCredentialsError';
import { deadline } from '../../util/deadline';
import { raceAbort } from '../../util/raceAbort';
import { redactField } from '../../util/redact';
import { MAX_SIGN_IN_ANSWER_BYTES } from '../CustomerSignIn';
import type { AccountBackend, IssuedCustomerToken } from './AccountBackend';

export interface HttpAccountBackendOptions {
  apiUrl: string;
  projectKey: string;
  fetch: () => FetchLike;
  timeoutMs: number;
  integration: SharedTokenProvider;
}

interface Answer {
  status: number;
  /** The request's secrets and bearer, redacted from whatever an error keeps of the answer. */
  secrets: readonly string[];
  body: Record<string, unknown> | undefined;
  apiCode: string | undefined;
  errors: Record<string, unknown>[];
}

interface Call {
  /** For messages and logs: `sign-up`, `password change`... */
  operation: string;
  method: 'GET' | 'POST';
  /** Path below the project (and Store, for in-store calls). */
  path: string;
  storeKey: string | undefined;
  body?: unknown;
  /** Every secret in the request (passwords, token values), redacted from whatever the error keeps. */
  secrets: readonly string[];
}

/**
 * The account endpoints over HTTP, like CustomerSignIn: called directly rather than through the SDK
 * so a password or token value in a body can never end up in an SDK error; one deadline that aborts
 * the request, a size cap on the answer, no redirect following (bodies carry passwords), fixed
 * messages, and the platform's code and message only in redacted fields.
 */
export class HttpAccountBackend implements AccountBackend {
  constructor(private readonly o: HttpAccountBackendOptions) {}

  async createCustomer(
    draft: Parameters<AccountBackend['createCustomer']>[0],
    storeKey: string | undefined,
  ): Promise<{ customerId: string }> {
    const call: Call = {
      operation: 'sign-up',
      method: 'POST',
      path: '/customers',
      storeKey,
      body: draft,
      secrets: [draft.password],
    };
    const answer = await this.#asIntegration(call);
    if (answer.status === 201 || answer.status === 200)
      return { customerId: idOf((answer.body?.['customer'] as Record<string, unknown> | undefined)?.['id'], call) };
    if (answer.status === 400) {
      const duplicateEmail = answer.errors.some((e) => e['code'] === 'DuplicateField' && e['field'] === 'email');
      if (duplicateEmail)
        throw new CtpAccountError(
          CtpErrorCode.EmailTaken,
          'An account with this email exists already. Sign in, or reset the password.',
          { status: 400 },
        );
      const fieldErrors: CtpFieldError[] = answer.errors.slice(0, 20).map((e) => {
        const code =
          redactField(typeof e['code'] === 'string' ? e['code'] : 'InvalidInput', call.secrets, 100) ?? 'InvalidInput';
        const field = redactField(typeof e['field'] === 'string' ? e['field'] : undefined, call.secrets, 100);
        return field === undefined ? { code } : { code, field };
      });
      throw new CtpAccountError(
        CtpErrorCode.CustomerDraftInvalid,
        'The platform refused the sign-up data; the fields and reasons are in .fieldErrors. Correct them and try again.',
        { status: 400, fieldErrors },
      );
    }
    throw failed(call, answer);
  }

  async changeMyPassword(
    accessToken: string,
    currentPassword: string,
    newPassword: string,
    storeKey: string | undefined,
  ): Promise<{ email: string }> {
    const secrets = [currentPassword, newPassword];
    const me = await this.#send(
      { operation: 'password change', method: 'GET', path: '/me', storeKey, secrets },
      accessToken,
    );
    if (me.status !== 200)
      throw failed({ operation: 'password change', method: 'GET', path: '/me', storeKey, secrets }, me);
    let version = me.body?.['version'];
    for (let attempt = 1; ; attempt += 1) {
      const call: Call = {
        operation: 'password change',
        method: 'POST',
        path: '/me/password',
        storeKey,
        body: { version, currentPassword, newPassword },
        secrets,
      };
      const answer = await this.#send(call, accessToken);
      if (answer.status === 200) return { email: stringOf(answer.body?.['email'], call) };
      if (answer.apiCode === 'InvalidCurrentPassword') throw new CtpInvalidCredentialsError({ status: answer.status });
      // Someone changed the profile meanwhile: the version moved on, the password did not change.
      if (answer.status === 409 && attempt < 3 && typeof answer.errors[0]?.['currentVersion'] === 'number') {
        version = answer.errors[0]['currentVersion'];
        continue;
      }
      throw failed(call, answer);
    }
  }

  async createPasswordToken(
    email: string,
    storeKey: string | undefined,
    ttlMinutes: number | undefined,
  ): Promise<IssuedCustomerToken | undefined> {
    const call: Call = {
      operation: 'password reset request',
      method: 'POST',
      path: '/customers/password-token',
      storeKey,
      body: { email, ...(ttlMinutes === undefined ? {} : { ttlMinutes }) },
      secrets: [],
    };
    const answer = await this.#asIntegration(call);
    // No customer with this email: 404 ResourceNotFound (some mocks answer it with 400).
    if (answer.status === 404 || answer.apiCode === 'ResourceNotFound') return undefined;
    if (answer.status !== 200 && answer.status !== 201) throw failed(call, answer);
    return customerToken(answer, call);
  }

  async resetPassword(
    tokenValue: string,
    newPassword: string,
    storeKey: string | undefined,
  ): Promise<{ customerId: string }> {
    const call: Call = {
      operation: 'password reset',
      method: 'POST',
      path: '/customers/password/reset',
      storeKey,
      body: { tokenValue, newPassword },
      secrets: [tokenValue, newPassword],
    };
    const answer = await this.#asIntegration(call);
    if (answer.status === 200) return { customerId: idOf(answer.body?.['id'], call) };
    if (
      answer.status === 404 ||
      answer.apiCode === 'ExpiredCustomerPasswordToken' ||
      answer.apiCode === 'ResourceNotFound'
    ) {
      throw new CtpAccountError(
        CtpErrorCode.AccountTokenInvalid,
        'This password reset link is unknown, expired or used already. Request a new one.',
        { status: answer.status },
      );
    }
    throw failed(call, answer);
  }

  async createEmailToken(
    customerId: string,
    storeKey: string | undefined,
    ttlMinutes: number,
  ): Promise<IssuedCustomerToken & { email: string }> {
    const read: Call = {
      operation: 'email verification request',
      method: 'GET',
      path: `/customers/${encodeURIComponent(customerId)}`,
      storeKey,
      secrets: [],
    };
    const customer = await this.#asIntegration(read);
    if (customer.status !== 200) throw failed(read, customer);
    const email = stringOf(customer.body?.['email'], read);
    const call: Call = {
      operation: 'email verification request',
      method: 'POST',
      path: '/customers/email-token',
      storeKey,
      body: { id: customerId, ttlMinutes },
      secrets: [],
    };
    const answer = await this.#asIntegration(call);
    if (answer.status !== 200 && answer.status !== 201) throw failed(call, answer);
    return { ...customerToken(answer, call), email };
  }

  async confirmEmail(tokenValue: string, storeKey: string | undefined): Promise<{ customerId: string }> {
    const call: Call = {
      operation: 'email confirmation',
      method: 'POST',
      path: '/customers/email/confirm',
      storeKey,
      body: { tokenValue },
      secrets: [tokenValue],
    };
    const answer = await this.#asIntegration(call);
    if (answer.status === 200) return { customerId: idOf(answer.body?.['id'], call) };
    if (
      answer.status === 404 ||
      answer.apiCode === 'ExpiredCustomerEmailToken' ||
      answer.apiCode === 'ResourceNotFound'
    ) {
      throw new CtpAccountError(
        CtpErrorCode.AccountTokenInvalid,
        'This email confirmation link is unknown, expired or used already. Request a new one.',
        { status: answer.status },
      );
    }
    throw failed(call, answer);
  }

  /** In the integration's name; a 401 (its token revoked early) renews it once, in its own name. */
  async #asIntegration(call: Call): Promise<Answer> {
    const first = await this.#send(call, (await this.o.integration.get()).accessToken);
    if (first.status !== 401) return first;
    this.o.integration.invalidate((await this.o.integration.get()).accessToken);
    return this.#send(call, (await this.o.integration.get()).accessToken);
  }

  async #send(call: Call, bearer: string): Promise<Answer> {
    const project = encodeURIComponent(this.o.projectKey);
    const store = call.storeKey === undefined ? '' : `/in-store/key=${encodeURIComponent(call.storeKey)}`;
    const secrets = [...call.secrets, bearer];
    const due = deadline(this.o.timeoutMs);
    try {
      const response = await raceAbort(
        this.o.fetch()(`${this.o.apiUrl}/${project}${store}${call.path}`, {
          method: call.method,
          headers: {
            authorization: `Bearer ${bearer}`,
            accept: 'application/json',
            ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
          // A 307/308 would re-send a password or token to wherever it points.
          redirect: 'manual',
          signal: due.signal,
        }),
        due.signal,
      );
      if ((response.status >= 300 && response.status < 400) || response.redirected) {
        await response.body?.cancel().catch(() => undefined);
        throw new CtpAnswerRefusedError(
          CtpErrorCode.RedirectRefused,
          'The API answered an account call with a redirect, which is never followed; check CTP_API_URL points at the commercetools API host itself.',
          {
            host: 'api',
            flow: 'account',
            status: response.status,
          },
        );
      }
      const read = await readCappedText(response, MAX_SIGN_IN_ANSWER_BYTES, due.signal);
      if (!read.ok) {
        throw new CtpAnswerRefusedError(
          CtpErrorCode.AnswerTooLarge,
          "The API's answer to an account call was larger than the cap and was not read; check CTP_API_URL and any proxy in front of it.",
          {
            host: 'api',
            flow: 'account',
            status: response.status,
            limitBytes: MAX_SIGN_IN_ANSWER_BYTES,
          },
        );
      }
      return parseAnswer(response.status, read.text, secrets);
    } catch (cause) {
      if (cause instanceof CtpAnswerRefusedError) throw cause;
      if (due.timedOut)
        throw new CtpApiError(
          `The ${call.operation} failed: the API did not answer within ${this.o.timeoutMs} ms. Try again.`,
        );
      const reason = cause instanceof Error ? cause.message : 'unknown error';
      throw new CtpApiError(
        `The ${call.operation} failed: the API could not be reached (the error is in .reason). Try again.`,
        { reason: redactField(reason, secrets, 120) },
      );
    } finally {
      due.clear();
    }
  }
}

function parseAnswer(status: number, text: string, secrets: readonly string[]): Answer {
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
  return { status, secrets, body, apiCode: typeof code === 'string' ? code : undefined, errors };
}

/** Anything unexpected: the platform's code and message in redacted fields, never in the message. */
function failed(call: Call, answer: Answer): CtpApiError {
  const message = answer.body?.['message'];
  return new CtpApiError(
    `The ${call.operation} failed (status, code and message of the API are in .status, .apiCode and .apiMessage); nothing of the session changed. Check the integration's scopes and try again.`,
    {
      status: answer.status,
      apiCode: redactField(answer.apiCode, answer.secrets, 100),
      apiMessage: redactField(typeof message === 'string' ? message : undefined, answer.secrets),
    },
  );
}

function idOf(value: unknown, call: Call): string {
  return stringOf(value, call);
}

function stringOf(value: unknown, call: Call): string {
  if (typeof value === 'string' && value !== '' && value.length <= 256) return value;
  throw new CtpApiError(
    `The ${call.operation} got an answer without the expected fields; nothing of the session changed. Check CTP_API_URL.`,
  );
}

function customerToken(answer: Answer, call: Call): IssuedCustomerToken {
  return {
    customerId: stringOf(answer.body?.['customerId'], call),
    value: stringOf(answer.body?.['value'], call),
    expiresAt: stringOf(answer.body?.['expiresAt'], call),
  };
}
