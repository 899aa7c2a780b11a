import type { CtpAuthToken } from '../../auth/CtpAuthToken';
import type { TokenIssuer } from '../../auth/TokenIssuer';
import { CtpAccountError } from '../../errors/CtpAccountError';
import { CtpArgumentError } from '../../errors/CtpArgumentError';
import { CtpConfigError } from '../../errors/CtpConfigError';
import { CtpError } from '../../errors/CtpError';
import { CtpErrorCode } from '../../errors/CtpErrorCode';
import { CtpSessionError } from '../../errors/CtpSessionError';
import type { Clock } from '../../util/Clock';
import type { Logger } from '../../util/Logger';
import { timerSleep, type Sleep } from '../../util/sleep';
import { claimCustomer } from '../claimCustomer';
import type { CustomerSignIn } from '../CustomerSignIn';
import type { SessionStorage } from '../SessionStorage';
import type { SessionTokens } from '../SessionTokens';
import type { CtpTokenSender, CustomerDraft, SignUpOptions, StoreOption } from './CustomerDraft';
import { checkEmail, checkStoreKey, checkText, checkTokenValue } from './checkInput';
import type { HttpAccountBackend } from './HttpAccountBackend';
import { sessionStore } from './sessionStore';
import { TokenDelivery } from './TokenDelivery';

export interface AccountOptions {
  backend?: HttpAccountBackend;
  sendToken?: CtpTokenSender | undefined;
  /** Default 1 000 ms. */
  resetAnswerFloorMs?: number;
  sleep?: Sleep;
}

export interface AccountOperationsDeps extends AccountOptions {
  tokens: SessionTokens;
  issuer: Pick<TokenIssuer, 'customer'>;
  signIn: Pick<CustomerSignIn, 'signIn'>;
  storage: () => SessionStorage;
  /** A valid token of the session in `storage` (refreshed if due), never a new anonymous one. */
  validToken: (storage: SessionStorage) => Promise<CtpAuthToken>;
  clock: Clock;
  logger: Logger;
}

/** CustomerDraft fields the library sets from the session, never from the caller. */
const SESSION_ONLY = ['anonymousId', 'anonymousCartSignInMode'];

/**
 * Sign-up, password change and reset, email verification. Each change of the session goes through
 * SessionTokens as login and logout do; tokens and passwords go only to the platform and, for reset
 * and verification tokens, to the app's sender, never to a log, an error or the caller.
 */
export class AccountOperations {
  readonly #d: AccountOperationsDeps;
  readonly #delivery: TokenDelivery;

  constructor(deps: AccountOperationsDeps) {
    this.#d = deps;
    this.#delivery = new TokenDelivery(deps.sendToken, deps.logger);
  }

  /**
   * Creates the customer, signs in and claims the session as login does (claimCustomer). The cart
   * moves by that sign-in, after the claim, not with an anonymousId in the draft: a sign-in of the
   * same session racing this sign-up can then never leave the cart with the account not stored.
   */
  async signUp(draft: CustomerDraft, options: SignUpOptions = {}): Promise<CtpAuthToken> {
    if (typeof draft !== 'object' || draft === null)
      throw new CtpArgumentError('draft', 'draft must be an object with email and password.');
    const { email, password } = draft;
    checkEmail(email);
    checkText('password', password, 1024);
    checkStoreKey(options.storeKey);
    const backend = this.#backend();
    const storage = this.#d.storage();
    const before = await this.#d.tokens.read(storage);
    const storeKey = sessionStore(before, options.storeKey);
    // The anonymous id comes from the session only: a caller cannot move another session's cart.
    const own = Object.fromEntries(Object.entries(draft).filter(([field]) => !SESSION_ONLY.includes(field)));
    await backend.createCustomer({ ...own, email, password }, storeKey);
    const customer = await this.#d.issuer.customer({ email, password, storeKey });
    const { anonymousCartSignInMode } = options;
    const credentials = { email, password, storeKey, anonymousCartSignInMode, reason: 'sign-up' as const };
    const outcome = await claimCustomer(this.#d.tokens, this.#d.signIn, storage, before, customer, credentials);
    this.#d.logger.info(
      { event: 'ctp.signup', merged: outcome.replaced?.kind === 'anonymous', store: storeKey !== undefined },
      'customer signed up and signed in',
    );
    return outcome.token;
  }

  /** Changes the password in the customer's own name, then signs in again and replaces the session's tokens. */
  async changePassword(currentPassword: string, newPassword: string): Promise<CtpAuthToken> {
    checkText('currentPassword', currentPassword, 1024);
    checkText('newPassword', newPassword, 1024);
    const backend = this.#backend();
    const storage = this.#d.storage();
    const token = await this.#d.validToken(storage);
    if (token.kind !== 'customer') throw noCustomer();
    const { email } = await backend
      .changeMyPassword(token.accessToken, currentPassword, newPassword, token.storeKey)
      .catch(async (error: unknown) => {
        // Refused for the token (401): a sign-out or another sign-in of this session revoked it meanwhile.
        if (
          error instanceof CtpError &&
          error.status === 401 &&
          (await this.#d.tokens.read(storage))?.refreshToken !== token.refreshToken
        )
          throw new CtpSessionError(
            CtpErrorCode.SessionChanged,
            'The session was signed out or signed in again while the password was being changed; the password was not changed. Sign in and try again.',
          );
        throw error;
      });
    const fresh = await this.#d.issuer
      .customer({ email, password: newPassword, storeKey: token.storeKey })
      .catch(async (error: unknown) => {
        throw await this.#signInAfterChangeFailed(storage, token, error);
      });
    const stored = await this.#d.tokens.replaceLineage(storage, token, fresh, 'password-change');
    this.#d.logger.info(
      { event: 'ctp.password.changed', store: token.storeKey !== undefined },
      'customer password changed; session on fresh tokens',
    );
    return stored;
  }

  /**
   * The password changed but the grant with the new one failed: the old pair may be invalidated any
   * moment, so the session is cleared (if it still holds that lineage) and the pair revoked, and the
   * caller told the password WAS changed.
   */
  async #signInAfterChangeFailed(storage: SessionStorage, old: CtpAuthToken, cause: unknown): Promise<CtpAccountError> {
    try {
      await this.#d.tokens.clearIf(
        storage,
        (current) => current.refreshToken === old.refreshToken,
        'password-change-sign-in-failed',
      );
    } catch (error) {
      // The storage failed: the old pair is still revoked, so the session cannot live on with it.
      this.#d.tokens.end(old);
      await this.#d.tokens.retire(old, 'password-change-sign-in-failed');
      this.#d.logger.warn(
        { event: 'ctp.session.clear_failed', code: codeOf(error) },
        'clearing the session after a password change failed',
      );
    }
    this.#d.logger.warn(
      { event: 'ctp.password.changed_sign_in_failed', code: codeOf(cause), store: old.storeKey !== undefined },
      'password changed; signing in with the new password failed, session signed out',
    );
    return new CtpAccountError(
      CtpErrorCode.PasswordChangedSignInAgain,
      'The password WAS changed, but signing in with the new password failed just now; this session was signed out. Sign in again with the new password.',
      { cause, ...(cause instanceof CtpError && cause.status !== undefined ? { status: cause.status } : {}) },
    );
  }

  /** Answers the same, no sooner than the floor, whether or not the email exists, so its timing does not tell. */
  async requestPasswordReset(email: string, options: StoreOption = {}): Promise<void> {
    // Refusing a malformed address tells nothing about which accounts exist.
    checkEmail(email);
    checkStoreKey(options.storeKey);
    this.#delivery.check();
    const backend = this.#backend();
    const started = this.#d.clock.now();
    const issuing = (async () => {
      const storeKey = sessionStore(await this.#sessionIfAny(), options.storeKey);
      const issued = await backend.createPasswordToken(email, storeKey);
      // In the background: the answer must not wait for the sender (its time would tell the email exists).
      if (issued) this.#delivery.inBackground('password-reset', { ...issued, email }, storeKey);
    })();
    await issuing.catch(() => undefined); // its failure is thrown after the floor, below
    const floor = this.#d.resetAnswerFloorMs ?? 1_000;
    const elapsed = this.#d.clock.now() - started;
    if (elapsed < floor) await (this.#d.sleep ?? timerSleep)(floor - elapsed);
    else
      this.#d.logger.warn(
        { event: 'ctp.password.reset_slow', elapsedMs: elapsed, floorMs: floor },
        'password reset request took longer than its answer floor; raise resetAnswerFloorMs',
      );
    // A failure of the platform or of the configuration is the same for every email: it tells nothing.
    await issuing;
    this.#d.logger.info({ event: 'ctp.password.reset_requested' }, 'password reset requested');
  }

  /** The platform then revokes every password-flow token of the customer: a session holding one is signed out now. */
  async resetPassword(tokenValue: string, newPassword: string, options: StoreOption = {}): Promise<void> {
    checkTokenValue(tokenValue);
    checkText('newPassword', newPassword, 1024);
    checkStoreKey(options.storeKey);
    const backend = this.#backend();
    const storage = this.#storageIfAny();
    const session = storage ? await this.#d.tokens.read(storage) : undefined;
    const storeKey = sessionStore(session, options.storeKey);
    const { customerId } = await backend.resetPassword(tokenValue, newPassword, storeKey);
    if (storage)
      await this.#d.tokens.clearIf(
        storage,
        (current) => current.kind === 'customer' && current.customerId === customerId,
        'password-reset',
      );
    this.#d.logger.info({ event: 'ctp.password.reset', store: storeKey !== undefined }, 'customer password reset');
  }

  async requestEmailVerification(): Promise<void> {
    this.#delivery.check();
    const backend = this.#backend();
    const token = await this.#d.tokens.read(this.#d.storage());
    if (token?.kind !== 'customer' || token.customerId === undefined) throw noCustomer();
    const issued = await backend.createEmailToken(token.customerId, token.storeKey);
    if (!(await this.#delivery.send('email-verification', issued, token.storeKey)))
      throw new CtpAccountError(
        CtpErrorCode.TokenSendFailed,
        "The verification email could not be sent (the app's sendToken failed); the token was created. Try again.",
      );
    this.#d.logger.info({ event: 'ctp.email.verification_requested' }, 'email verification requested');
  }

  async confirmEmail(tokenValue: string, options: StoreOption = {}): Promise<void> {
    checkTokenValue(tokenValue);
    checkStoreKey(options.storeKey);
    const backend = this.#backend();
    const storeKey = sessionStore(await this.#sessionIfAny(), options.storeKey);
    await backend.confirmEmail(tokenValue, storeKey);
    this.#d.logger.info({ event: 'ctp.email.confirmed' }, 'customer email confirmed');
  }

  /** Every token delivery started so far has finished. */
  settled(): Promise<void> {
    return this.#delivery.settled();
  }

  #backend(): HttpAccountBackend {
    if (!this.#d.backend)
      throw new CtpConfigError([
        'The account operations have no API backend; create the services with createCtpServices or ctpModule.',
      ]);
    return this.#d.backend;
  }

  /** The request's storage, or undefined outside a session context (a reset link opened anywhere). */
  #storageIfAny(): SessionStorage | undefined {
    try {
      return this.#d.storage();
    } catch (error) {
      if (CtpError.is(error, CtpErrorCode.NoSessionContext)) return undefined;
      throw error;
    }
  }

  async #sessionIfAny(): Promise<CtpAuthToken | undefined> {
    const storage = this.#storageIfAny();
    return storage ? this.#d.tokens.read(storage) : undefined;
  }
}

function noCustomer(): CtpSessionError {
  return new CtpSessionError(
    CtpErrorCode.NoSession,
    'This operation needs a signed-in customer and the session has none; sign in first.',
  );
}

const codeOf = (error: unknown) => (error instanceof CtpError ? error.code : 'UNKNOWN');
