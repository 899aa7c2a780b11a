import { CtpConfigError } from '../../errors/CtpConfigError';
import { CtpError } from '../../errors/CtpError';
import type { Logger } from '../../util/Logger';
import type { CtpTokenMessage, CtpTokenSender } from './CustomerDraft';
import type { IssuedCustomerToken } from './HttpAccountBackend';

/**
 * Hands reset and verification tokens to the app's sender (module option `sendToken`), the only
 * place besides the platform a token goes. A sender's failure is logged with its code only: its
 * error may quote the message it failed to send, token included.
 */
export class TokenDelivery {
  /** Deliveries still running in the background (they never hold up an answer). */
  readonly #running = new Set<Promise<unknown>>();

  constructor(
    private readonly sender: CtpTokenSender | undefined,
    private readonly logger: Logger,
  ) {}

  /** The sender; CtpConfigError when none is set (checked before anything is done). */
  check(): CtpTokenSender {
    if (!this.sender)
      throw new CtpConfigError([
        'sendToken is not set: requestPasswordReset and requestEmailVerification hand the token to the ctpModule option sendToken(message), which sends the email. Pass sendToken in the module options.',
      ]);
    return this.sender;
  }

  /** True once sent, false when the sender failed. */
  async send(
    kind: CtpTokenMessage['kind'],
    { email, customerId, value: tokenValue, expiresAt }: IssuedCustomerToken & { email: string },
    storeKey: string | undefined,
  ): Promise<boolean> {
    const sender = this.check();
    try {
      await sender({ kind, email, customerId, tokenValue, expiresAt, ...(storeKey === undefined ? {} : { storeKey }) });
      return true;
    } catch (error) {
      this.logger.warn(
        { event: 'ctp.token.send_failed', kind, code: error instanceof CtpError ? error.code : 'UNKNOWN' },
        `sending the ${kind} email failed`,
      );
      return false;
    }
  }

  /** Like send, without holding up the caller: settled() waits for it. */
  inBackground(...message: Parameters<TokenDelivery['send']>): void {
    const delivery = this.send(...message).finally(() => this.#running.delete(delivery));
    this.#running.add(delivery);
  }

  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }
}
