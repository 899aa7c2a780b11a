import type { CtpAuthToken, SharedToken } from '../auth/CtpAuthToken';

/**
 * Who a shared token is for: two services on one Redis share a token only if all of this is equal,
 * so a service never receives a token of another API client, project, auth host or scope set.
 */
export interface SharedTokenId {
  readonly name: 'integration' | 'guest' | 'checkout' | 'customerService';
  /** The configured auth URL (scheme, host, port, path). */
  readonly authUrl: string;
  readonly projectKey: string;
  readonly clientId: string;
  /** The exact `scope` parameter the grant sends. */
  readonly scope: string;
}

/**
 * What a refresh through the coordinator answers: the refreshed token, or `'ended'` when the lineage
 * (the refresh token) was ended through endLineage, by any instance, while its mark lives: then
 * nothing was refreshed. What an ended lineage means for a session is the session's to decide.
 */
export type CoordinatedRefresh = CtpAuthToken | 'ended';

/**
 * Makes a grant or a refresh happen once for the whole fleet of app instances, not once per
 * process. The process-local single flight stays in front of it, so one process asks once.
 * A coordinator decides nothing about what a failure means: a failed grant or refresh rejects with
 * its own error, unchanged, and ends nothing; ending a lineage is asked for, by endLineage.
 */
export interface TokenCoordinator {
  /**
   * A fresh shared token (integration or guest): from the fleet's cache, or granted by one instance.
   * `isFresh` decides whether a cached token may be used (expiry, scopes, refused by the API).
   */
  shared(
    id: SharedTokenId,
    grant: () => Promise<SharedToken>,
    isFresh: (token: SharedToken) => boolean,
  ): Promise<SharedToken>;
  /**
   * The refreshed token: by this instance (`refresh`), or the one another instance just stored if
   * `isFresh` takes it; or `'ended'`, without refreshing, when the lineage was ended (endLineage).
   * While `refresh` runs, no other instance refreshes this lineage: an endLineage called from inside
   * it is seen by every instance waiting, before any of them could refresh in turn.
   */
  refresh(
    token: CtpAuthToken,
    refresh: () => Promise<CtpAuthToken>,
    isFresh: (token: CtpAuthToken) => boolean,
  ): Promise<CoordinatedRefresh>;
  /**
   * Ends the lineage `refreshToken` for the fleet for `ttlMs`: every refresh of it, on any
   * instance, answers `'ended'` meanwhile, and a refresh in flight publishes nothing over it.
   */
  endLineage(refreshToken: string, ttlMs: number): Promise<void>;
}

/**
 * One process: nothing to coordinate beyond the local single flight, and no other instance to
 * tell: a lineage this process ended is known to its sessions (SessionTokens.ended) before any
 * refresh of it, so refresh never answers `'ended'` and endLineage has nothing to write.
 */
export const localCoordinator: TokenCoordinator = {
  shared: (_id, grant) => grant(),
  refresh: (_token, refresh) => refresh(),
  endLineage: async () => undefined,
};
