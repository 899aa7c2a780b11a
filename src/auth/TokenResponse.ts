/** A checked token answer (RFC 6749 5.1 as commercetools sends it). */
export interface TokenResponse {
  readonly accessToken: string;
  readonly tokenType: 'bearer';
  /** Lifetime in seconds, > 0. */
  readonly expiresIn: number;
  /** The granted scope string, identity (`customer_id:`/`anonymous_id:`) included. */
  readonly scope: string;
  readonly refreshToken?: string;
}

/** The token flows, as named in logs, events and errors. */
export type TokenFlow = 'client_credentials' | 'password' | 'anonymous' | 'refresh_token' | 'revoke' | 'introspect';
