import type { CtpAuthToken } from '../auth/CtpAuthToken';

/**
 * Where the current shopper's token lives: one instance stands for one shopper's session. The app
 * adapts its own session mechanism to these three calls.
 */
export interface SessionStorage {
  /**
   * A stable id of the session (e.g. express-session's `req.sessionID`). Concurrent requests of one
   * shopper have different storage objects; the id lets them share one anonymous-session grant.
   */
  readonly id?: string | undefined;
  get(): Promise<CtpAuthToken | undefined>;
  set(token: CtpAuthToken): Promise<void>;
  clear(): Promise<void>;
}
