import type { CtpAuthToken, SharedToken } from '../auth/CtpAuthToken';

/**
 * Who a shared token is for: two services on one Redis share a token only if all of this is equal,
 * so a service never receives a token of another API client, project, auth host or scope set.
 */
export interface SharedTokenId {
  readonly name: 'integration' | 'guest';
  /** The configured auth URL (scheme, host, port, path). */
  readonly authUrl: string;
  readonly projectKey: string;
  readonly clientId: string;
  /** The exact `scope` parameter the grant sends. */
  readonly scope: string;
}

/**
 * Makes a grant or a refresh happen once for the whole fleet of app instances, not once per
 * process. The process-local single flight stays in front of it, so one process asks once.
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
  /** The refreshed session token: by this instance, or the one another instance just stored. */
  refresh(
    token: CtpAuthToken,
    refresh: () => Promise<CtpAuthToken>,
    isFresh: (token: CtpAuthToken) => boolean,
  ): Promise<CtpAuthToken>;
  /** Tells every instance that this session ended, so no refresh in flight stores its result. */
  endSession(refreshToken: string): Promise<void>;
}

/** One process: nothing to coordinate beyond the local single flight. */
export const localCoordinator: TokenCoordinator = {
  shared: (_id, grant) => grant(),
  refresh: (_token, refresh) => refresh(),
  endSession: async () => undefined,
};
