/** An external session as the app's refresh is given it. */
export interface ExternalSession {
  readonly customerId: string;
  /** The provider's token the session holds now. */
  readonly token: string;
  readonly expiresAt: Date;
  readonly storeKey?: string;
}

/** A token of the app's identity provider, with its expiry. */
export interface ExternalToken {
  token: string;
  expiresAt: Date;
}

/**
 * Renews an external session at the app's identity provider: a new token, or `undefined` when the
 * provider's session ended (the library then clears the session, CTP_SESSION_EXPIRED). Throwing
 * means a transient failure: the current token serves until it expires, then callers get the error
 * (a CtpError as thrown, anything else as CTP_AUTH_UNAVAILABLE), and the session is kept.
 */
export type ExternalRefresh = (session: ExternalSession) => Promise<ExternalToken | undefined>;
