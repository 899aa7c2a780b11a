/** Whose token an API root carries. */
export type TokenOwner = 'integration' | 'guest' | 'customer' | 'checkout' | 'customerService';

/**
 * Where a request builder's token came from, and the only way that builder may renew it: a 401
 * is recovered through the source the builder was made from, never through whatever session is
 * current when the call runs.
 */
export interface TokenSource {
  readonly owner: TokenOwner;
  readonly accessToken: string;
  /**
   * Identity for builder reuse: builders are shared only between calls whose source has the same
   * key and token (a shared provider; one session storage object).
   */
  readonly key: object;
  /** A valid access token of the same lineage, given the one the API refused; throws if there is none. */
  recover(staleAccessToken: string): Promise<string>;
}
