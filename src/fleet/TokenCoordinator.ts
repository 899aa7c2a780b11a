import type { CtpAuthToken, SharedToken } from '../auth/CtpAuthToken';

/**
 * Makes a grant or a refresh happen once for the whole fleet of app instances, not once per
 * process. The process-local single flight stays in front of it, so one process asks once.
 */
export interface TokenCoordinator {
  /** A fresh shared token (integration or guest): from the fleet's cache, or granted by one instance. */
  shared(name: 'integration' | 'guest', grant: () => Promise<SharedToken>, isFresh: (token: SharedToken) => boolean): Promise<SharedToken>;
  /** The refreshed session token: by this instance, or the one another instance just stored. */
  refresh(token: CtpAuthToken, refresh: () => Promise<CtpAuthToken>, isFresh: (token: CtpAuthToken) => boolean): Promise<CtpAuthToken>;
  /** Tells every instance that this session ended, so no refresh in flight stores its result. */
  endSession(refreshToken: string): Promise<void>;
}

/** One process: nothing to coordinate beyond the local single flight. */
export const localCoordinator: TokenCoordinator = {
  shared: (_name, grant) => grant(),
  refresh: (_token, refresh) => refresh(),
  endSession: async () => undefined,
};
