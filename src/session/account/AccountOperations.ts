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
import type { AccountBackend } from './AccountBackend';
import type { CtpTokenSender, CustomerDraft, SignUpOptions, StoreOption } from './CustomerDraft';
import { checkEmail, checkStoreKey, checkText, checkTokenValue } from './checkInput';
import { sessionStore } from './sessionStore';
import { TokenDelivery } from './TokenDelivery';

export interface AccountOptions {
  backend?: AccountBackend;
  /** The app's sender of reset and verification tokens (module option `sendToken`). */
  sendToken?: CtpTokenSender | undefined;
  /**
   * requestPasswordReset answers no sooner than this (default 1 000 ms), whether or not the email
   * exists, so its timing does not tell (the platform's own lookup and the token creation are
   * well under it; a slower answer is logged).
   */
  resetAnswerFloorMs?: number;
  /** Lifetime of a password reset token (default: the platform's, 24 h). */
  resetTtlMinutes?: number;
  /** Lifetime of an email verification token (default 24 h). */
  verificationTtlMinutes?: number;
  sleep?: Sleep;
}

export interface AccountOperationsDeps extends AccountOptions {
  tokens: SessionTokens;
  issuer: Pick<TokenIssuer, 'customer'>;
  /** The backend sign-in that moves an anonymous session's cart to a customer (as login does). */
  signIn: Pick<CustomerSignIn, 'signIn'>;
  storage: () => SessionStorage;
  /** A valid token of the session in `storage` (refreshed if due), never a new anonymous one. */
  validToken: (storage: SessionStorage) => Promise<CtpAuthToken>;
  clock: Clock;
  logger: Logger;
}

/** CustomerDraft fields the library sets from the session, never from the caller. */
const SESSION_ONLY = ['anonymousId', 'anonymousCartSignInMode'];
const BACKEND_MISSING =
  'The account operations have no API backend; create the services with createCtpServices or ctpModule.';

/**
 * The shopper's account lifecycle beyond sign-in and sign-out: sign-up, password change and reset,
 * email verification. Each change of the session goes through the same door and revocation rules
 * as login and logout (SessionTokens); tokens and passwords go only to the platform and, for reset
 * and verification tokens, to the app's sender, never to a log, an error or the caller.
 */
export class AccountOperations {
  readonly #d: AccountOperationsDeps;
  readonly #sleep: Sleep;
  readonly #delivery: TokenDelivery;

  constructor(deps: AccountOperationsDeps) {
    this.#d = deps;
    this.#sleep = deps.sleep ?? timerSleep;
    this.#delivery = new TokenDelivery(deps.sendToken, deps.logger);
  }

  /**
   * Creates the customer through the backend, signs the customer in (password grant, `customer`
   * scopes) and claims the session exactly as login does: the customer token is stored by
   * compare-and-set, then the backend sign-in with the session's anonymousId moves the anonymous
   * cart, then the anonymous pair is revoked. The cart moves after the claim, not with the draft's
   * anonymousId at creation, so that a sign-in of the same session racing this sign-up can never
   * leave the cart with the account that was not stored.
   */
  async signUp(draft: CustomerDraft, options: SignUpOptions = {}): Promise<CtpAuthToken> {
    if (typeof draft !== 'object' || draft === null)
      throw new CtpArgumentError('draft', 'draft must be an object with email and password.');
    checkEmail(draft.email);
    checkText('password', draft.password, 1024);
    checkStoreKey(options.storeKey);
    const backend = this.#backend();
    const storage = this.#d.storage();
    const before = await this.#d.tokens.read(storage);
    const storeKey = sessionStore(before, options.storeKey);
    // The anonymous id comes from the session only: a caller cannot move another session's cart.
    const own = Object.fromEntries(Object.entries(draft).filter(([field]) => !SESSION_ONLY.includes(field)));
    await backend.createCustomer({ ...own, email: draft.email, password: draft.password }, storeKey);
    const customer = await this.#d.issuer.customer({ email: draft.email, password: draft.password, storeKey });
    const outcome = await claimCustomer(this.#d.tokens, this.#d.signIn, storage, before, customer, {
      email: draft.email,
      password: draft.password,
      storeKey,
      anonymousCartSignInMode: options.anonymousCartSignInMode,
      reason: 'sign-up',
    });
    this.#d.logger.info(
      { event: 'ctp.signup', merged: outcome.replaced?.kind === 'anonymous', store: storeKey !== undefined },
      'customer signed up and signed in',
    );
    return outcome.token;
  }

  /**
   * Changes the signed-in customer's password in their own name, then signs in again with the new
   * one and replaces the session's tokens, revoking the old pair whether or not the platform did.
   */
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
   * The password changed but the grant with the new one failed (auth down, or the platform not yet
   * consistent): the old tokens may be invalidated any moment and the new ones do not exist, so the
   * session is not left on the old pair. It is cleared if it still holds that lineage, the old pair
   * revoked (as a sign-out; the customer's cart stays with the customer), and the caller told that
   * the password WAS changed. A sign-out or sign-in that changed the session meanwhile is kept.
   */
  async #signInAfterChangeFailed(storage: SessionStorage, old: CtpAuthToken, cause: unknown): Promise<CtpAccountError> {
    const code = codeOf(cause);
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
      { event: 'ctp.password.changed_sign_in_failed', code, store: old.storeKey !== undefined },
      'password changed; signing in with the new password failed, session signed out',
    );
    return new CtpAccountError(
      CtpErrorCode.PasswordChangedSignInAgain,
      'The password WAS changed, but signing in with the new password failed just now; this session was signed out. Sign in again with the new password.',
      { cause, ...(cause instanceof CtpError && cause.status !== undefined ? { status: cause.status } : {}) },
    );
  }

  /**
   * Creates a reset token and hands it to the app's sender, in the background. Answers the same,
   * no sooner than resetAnswerFloorMs, whether or not the email exists.
   */
  async requestPasswordReset(email: string, options: StoreOption = {}): Promise<void> {
    // Refusing a malformed address tells nothing about which accounts exist.
    checkEmail(email);
    checkStoreKey(options.storeKey);
    this.#delivery.check();
    const backend = this.#backend();
    const started = this.#d.clock.now();
    const issuing = (async () => {
      const storeKey = sessionStore(await this.#sessionIfAny(), options.storeKey);
      const issued = await backend.createPasswordToken(email, storeKey, this.#d.resetTtlMinutes);
      // In the background: the answer must not wait for the sender (its time would tell the email exists).
      if (issued) this.#delivery.inBackground('password-reset', { ...issued, email }, storeKey);
    })();
    await issuing.catch(() => undefined); // its failure is thrown after the floor, below
    const floor = this.#d.resetAnswerFloorMs ?? 1_000;
    const elapsed = this.#d.clock.now() - started;
    if (elapsed < floor) await this.#sleep(floor - elapsed);
    else
      this.#d.logger.warn(
        { event: 'ctp.password.reset_slow', elapsedMs: elapsed, floorMs: floor },
        'password reset request took longer than its answer floor; raise resetAnswerFloorMs',
      );
    // A failure of the platform or of the configuration is the same for every email: it tells nothing.
    await issuing;
    this.#d.logger.info({ event: 'ctp.password.reset_requested' }, 'password reset requested');
  }

  /**
   * Sets a new password with a reset token. The platform then revokes every password-flow token of
   * that customer; if this session holds one of them, it is signed out here and now.
   */
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

  /** Creates an email verification token for the signed-in customer and hands it to the app's sender. */
  async requestEmailVerification(): Promise<void> {
    this.#delivery.check();
    const backend = this.#backend();
    const token = await this.#d.tokens.read(this.#d.storage());
    if (token?.kind !== 'customer' || token.customerId === undefined) throw noCustomer();
    const ttlMinutes = this.#d.verificationTtlMinutes ?? 24 * 60;
    const issued = await backend.createEmailToken(token.customerId, token.storeKey, ttlMinutes);
    if (!(await this.#delivery.send('email-verification', issued, token.storeKey))) {
      throw new CtpAccountError(
        CtpErrorCode.TokenSendFailed,
        "The verification email could not be sent (the app's sendToken failed); the token was created. Try again.",
      );
    }
    this.#d.logger.info({ event: 'ctp.email.verification_requested' }, 'email verification requested');
  }

  /** Confirms the email with a verification token (in the session's Store, if it has one). */
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

  #backend(): AccountBackend {
    if (!this.#d.backend) throw new CtpConfigError([BACKEND_MISSING]);
    return this.#d.backend;
  }

  /** The request's storage, or undefined outside a session context (a reset link opened anywhere). */
  #storageIfAny(): SessionStorage | undefined {
    try {
      return this.#d.storage();
    } catch (error) {
      if (error instanceof CtpSessionError && error.code === CtpErrorCode.NoSessionContext) return undefined;
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
