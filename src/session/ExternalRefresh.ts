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
 * provider's session ended (then CTP_SESSION_EXPIRED, session cleared). Throwing is transient: the
 * token serves until it expires, then callers get the error (a CtpError as is, else CTP_AUTH_UNAVAILABLE).
 */
export type ExternalRefresh = (session: ExternalSession) => Promise<ExternalToken | undefined>;
