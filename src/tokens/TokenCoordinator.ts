import type { CtpAuthToken, SharedToken } from '../auth/CtpAuthToken';

/** Who a shared token is for: services on one Redis share a token only if all of this is equal. */
export interface SharedTokenId {
  readonly name: 'integration' | 'guest' | 'checkout' | 'customerService';
  readonly authUrl: string;
  readonly projectKey: string;
  readonly clientId: string;
  /** The exact `scope` parameter the grant sends. */
  readonly scope: string;
}

/** The refreshed token, or `'ended'` (nothing refreshed) while an endLineage mark of any instance lives. */
export type CoordinatedRefresh = CtpAuthToken | 'ended';

/**
 * Makes a grant or a refresh happen once for the whole fleet, behind each process's single flight. It
 * decides nothing about failures: a failed grant or refresh rejects with its own error and ends nothing.
 */
export interface TokenCoordinator {
  /** A shared token from the fleet's cache if `isFresh` takes it, else granted by one instance. */
  shared(
    id: SharedTokenId,
    grant: () => Promise<SharedToken>,
    isFresh: (token: SharedToken) => boolean,
  ): Promise<SharedToken>;
  /**
   * The token another instance just stored if `isFresh` takes it, else `refresh`'s, or `'ended'`. While
   * `refresh` runs no other instance refreshes the lineage, so an endLineage inside it reaches them all first.
   */
  refresh(
    token: CtpAuthToken,
    refresh: () => Promise<CtpAuthToken>,
    isFresh: (token: CtpAuthToken) => boolean,
  ): Promise<CoordinatedRefresh>;
  /** For `ttlMs`, every refresh of the lineage answers `'ended'`, and one in flight publishes nothing over it. */
  endLineage(refreshToken: string, ttlMs: number): Promise<void>;
}

/** One process: a lineage it ended is known to its sessions (SessionTokens.ended) before any refresh of it. */
export const localCoordinator: TokenCoordinator = {
  shared: (_id, grant) => grant(),
  refresh: (_token, refresh) => refresh(),
  endLineage: async () => undefined,
};
