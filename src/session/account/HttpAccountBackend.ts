import { CtpAccountError, type CtpFieldError } from '../../errors/CtpAccountError';
import { CtpApiError } from '../../errors/CtpApiError';
import { CtpErrorCode } from '../../errors/CtpErrorCode';
import { CtpInvalidCredentialsError } from '../../errors/CtpInvalidCredentialsError';
import { redactField } from '../../util/redact';
import { AccountApi, accountCall as call } from '../AccountApi';
import type { AccountAnswer, AccountApiOptions, AccountRequest } from '../AccountApi';
import type { CustomerDraft } from './CustomerDraft';

/** A CustomerToken as the platform answers it (password reset, email verification). */
export interface IssuedCustomerToken {
  readonly customerId: string;
  readonly value: string;
  readonly expiresAt: string;
}

/**
 * The account endpoints, one method each, through AccountApi (bounded, redacted, no redirects): the
 * customer calls in the integration's name, the password change in the shopper's own. Each throws
 * typed errors with fixed messages.
 */
export class HttpAccountBackend {
  readonly #api: AccountApi;

  constructor(options: AccountApiOptions) {
    this.#api = new AccountApi(options);
  }

  /** `POST /customers` (the cart moves afterwards, by the sign-in). */
  async createCustomer(draft: CustomerDraft, storeKey: string | undefined): Promise<{ customerId: string }> {
    const request = call('sign-up', '/customers', storeKey, draft, [draft.password]);
    const answer = await this.#api.asIntegration(request);
    if (answer.status === 201 || answer.status === 200)
      return {
        customerId: stringOf(request, (answer.body?.['customer'] as Record<string, unknown> | undefined)?.['id']),
      };
    if (answer.status !== 400) throw this.#api.failure(request, answer);
    if (answer.errors.some((e) => e['code'] === 'DuplicateField' && e['field'] === 'email'))
      throw new CtpAccountError(
        CtpErrorCode.EmailTaken,
        'An account with this email exists already. Sign in, or reset the password.',
        { status: 400 },
      );
    const fieldErrors: CtpFieldError[] = answer.errors.slice(0, 20).map((e) => {
      const code = redactField(textOf(e['code']) ?? 'InvalidInput', request.secrets, 100) ?? 'InvalidInput';
      const field = redactField(textOf(e['field']), request.secrets, 100);
      return field === undefined ? { code } : { code, field };
    });
    throw new CtpAccountError(
      CtpErrorCode.CustomerDraftInvalid,
      'The platform refused the sign-up data; the fields and reasons are in .fieldErrors. Correct them and try again.',
      { status: 400, fieldErrors },
    );
  }

  /** `POST /me/password` in the shopper's own name (after `GET /me` for the version); answers the email. */
  async changeMyPassword(
    accessToken: string,
    currentPassword: string,
    newPassword: string,
    storeKey: string | undefined,
  ): Promise<{ email: string }> {
    const secrets = [currentPassword, newPassword];
    const read = call('password change', '/me', storeKey, undefined, secrets);
    const me = await this.#api.send(read, accessToken);
    if (me.status !== 200) throw this.#api.failure(read, me);
    let version = me.body?.['version'];
    for (let attempt = 1; ; attempt += 1) {
      const body = { version, currentPassword, newPassword };
      const request = call('password change', '/me/password', storeKey, body, secrets);
      const answer = await this.#api.send(request, accessToken);
      if (answer.status === 200) return { email: stringOf(request, answer.body?.['email']) };
      if (answer.apiCode === 'InvalidCurrentPassword') throw new CtpInvalidCredentialsError({ status: answer.status });
      // Someone changed the profile meanwhile: the version moved on, the password did not change.
      if (answer.status === 409 && attempt < 3 && typeof answer.errors[0]?.['currentVersion'] === 'number') {
        version = answer.errors[0]['currentVersion'];
        continue;
      }
      throw this.#api.failure(request, answer);
    }
  }

  /** `POST /customers/password-token`, with the platform's default lifetime; undefined when no customer has this email. */
  async createPasswordToken(email: string, storeKey: string | undefined): Promise<IssuedCustomerToken | undefined> {
    const request = call('password reset request', '/customers/password-token', storeKey, { email });
    const answer = await this.#api.asIntegration(request);
    // No customer with this email: 404 ResourceNotFound (some mocks answer it with 400).
    if (answer.status === 404 || answer.apiCode === 'ResourceNotFound') return undefined;
    return this.#customerToken(request, answer);
  }

  /** `POST /customers/password/reset`; answers whose password it was. */
  async resetPassword(
    tokenValue: string,
    newPassword: string,
    storeKey: string | undefined,
  ): Promise<{ customerId: string }> {
    const secrets = [tokenValue, newPassword];
    const request = call('password reset', '/customers/password/reset', storeKey, { tokenValue, newPassword }, secrets);
    const answer = await this.#api.asIntegration(request);
    if (answer.status === 200) return { customerId: stringOf(request, answer.body?.['id']) };
    throw this.#tokenRefused(request, answer, 'ExpiredCustomerPasswordToken', 'password reset');
  }

  /** `POST /customers/email-token` (valid 24 h), with the customer's email for the message. */
  async createEmailToken(
    customerId: string,
    storeKey: string | undefined,
  ): Promise<IssuedCustomerToken & { email: string }> {
    const operation = 'email verification request';
    const read = call(operation, `/customers/${encodeURIComponent(customerId)}`, storeKey);
    const customer = await this.#api.asIntegration(read);
    if (customer.status !== 200) throw this.#api.failure(read, customer);
    const email = stringOf(read, customer.body?.['email']);
    const request = call(operation, '/customers/email-token', storeKey, { id: customerId, ttlMinutes: 24 * 60 });
    return { ...this.#customerToken(request, await this.#api.asIntegration(request)), email };
  }

  /** `POST /customers/email/confirm`. */
  async confirmEmail(tokenValue: string, storeKey: string | undefined): Promise<{ customerId: string }> {
    const request = call('email confirmation', '/customers/email/confirm', storeKey, { tokenValue }, [tokenValue]);
    const answer = await this.#api.asIntegration(request);
    if (answer.status === 200) return { customerId: stringOf(request, answer.body?.['id']) };
    throw this.#tokenRefused(request, answer, 'ExpiredCustomerEmailToken', 'email confirmation');
  }

  /** A CustomerToken answered with 200 or 201. */
  #customerToken(request: AccountRequest, answer: AccountAnswer): IssuedCustomerToken {
    if (answer.status !== 200 && answer.status !== 201) throw this.#api.failure(request, answer);
    return {
      customerId: stringOf(request, answer.body?.['customerId']),
      value: stringOf(request, answer.body?.['value']),
      expiresAt: stringOf(request, answer.body?.['expiresAt']),
    };
  }

  /** A reset or verification token unknown, expired or used: the shopper needs a new link. */
  #tokenRefused(request: AccountRequest, answer: AccountAnswer, expiredCode: string, what: string): Error {
    if (answer.status !== 404 && answer.apiCode !== expiredCode && answer.apiCode !== 'ResourceNotFound')
      return this.#api.failure(request, answer);
    return new CtpAccountError(
      CtpErrorCode.AccountTokenInvalid,
      `This ${what} link is unknown, expired or used already. Request a new one.`,
      { status: answer.status },
    );
  }
}

const textOf = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** A field the answer must have: a non-empty string; an answer without it is refused. */
function stringOf(request: AccountRequest, value: unknown): string {
  if (typeof value === 'string' && value !== '' && value.length <= 256) return value;
  throw new CtpApiError(
    `The ${request.operation} got an answer without the expected fields; nothing of the session changed. Check CTP_API_URL.`,
  );
}
