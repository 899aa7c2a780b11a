export type TokenOwner = 'integration' | 'guest' | 'customer' | 'checkout' | 'customerService';

/** A builder's token and the only way it may renew it: never through whatever session is current when the call runs. */
export interface TokenSource {
  readonly owner: TokenOwner;
  readonly accessToken: string;
  /** Builders are shared only between calls whose source has the same key and token. */
  readonly key: object;
  /** A valid access token of the same lineage, given the one the API refused; throws if there is none. */
  recover(staleAccessToken: string): Promise<string>;
}
