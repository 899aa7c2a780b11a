import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { OAuthClient } from '../auth/OAuthClient';
import type { StoredScopeSets } from '../auth/StoredSession';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import { BoundedHashSet } from '../util/BoundedSet';
import type { Logger } from '../util/Logger';
import { SessionDoor } from './SessionDoor';
import type { SessionStorage } from './SessionStorage';
import { TokenRevoker } from './TokenRevoker';

export interface ClaimOptions {
  /** For revocation logs: `login`, `sign-up`... */
  reason: string;
  /** Runs once an anonymous session was claimed (the backend sign-in moving the cart); if it throws, the anonymous session is put back. */
  fromAnonymous?: (anonymous: CtpAuthToken) => Promise<void>;
}

/**
 * What every change of a session's tokens shares: the door, the revoker, the lineages ended here. A
 * lineage is a refresh token (never rotated); a logout or sign-in ends the one it replaced, and every
 * token of an ended lineage the library obtains is revoked, including one a refresh in flight mints.
 */
export class SessionTokens {
  readonly door: SessionDoor;
  readonly revoker: TokenRevoker;
  /** Lineages (hashed) a logout or sign-in ended in this process. */
  readonly ended = new BoundedHashSet(10_000);
  /** Renewals in progress per lineage, so a logout can wait for them and revoke what they mint. */
  readonly renewing = new Map<string, Set<Promise<unknown>>>();

  constructor(
    oauth: Pick<OAuthClient, 'revoke'>,
    private readonly logger: Logger,
    storageTimeoutMs: number,
    revokeWaitMs: number,
    registry?: StoredScopeSets,
  ) {
    this.door = new SessionDoor(storageTimeoutMs, registry);
    this.revoker = new TokenRevoker(oauth, logger, revokeWaitMs);
  }

  read(storage: SessionStorage): Promise<CtpAuthToken | undefined> {
    return this.door.read(storage);
  }

  end(token: CtpAuthToken): void {
    this.ended.add(token.refreshToken);
  }

  track<T>(lineage: string, work: Promise<T>): Promise<T> {
    const set = this.renewing.get(lineage) ?? new Set<Promise<unknown>>();
    this.renewing.set(lineage, set.add(work));
    const untrack = () => {
      set.delete(work);
      if (set.size === 0 && this.renewing.get(lineage) === set) this.renewing.delete(lineage);
    };
    void work.then(untrack, untrack);
    return work;
  }

  /** Revokes a replaced or signed-out pair, after every renewal of its lineage in flight has settled. */
  async retire(token: CtpAuthToken, reason: string): Promise<void> {
    const renewals = [...(this.renewing.get(token.refreshToken) ?? [])];
    await this.revoker.within(
      Promise.all([this.revoker.pair(token, reason), Promise.allSettled(renewals)]),
      token.kind,
      reason,
    );
  }

  // A new customer token takes the session over by compare-and-set; a sign-in stored since `before` was
  // read wins. On any failure the session stays as it was and `fresh` is revoked.
  async claim(
    storage: SessionStorage,
    before: CtpAuthToken | undefined,
    fresh: CtpAuthToken,
    options: ClaimOptions,
  ): Promise<{ token: CtpAuthToken; replaced: CtpAuthToken | undefined }> {
    let outcome: { token: CtpAuthToken; replaced: CtpAuthToken | undefined };
    try {
      outcome = await this.door.exclusive(storage, async (tx) => {
        for (let attempt = 1; ; attempt += 1) {
          const current = await tx.read();
          if (current?.kind === 'customer' && current.refreshToken !== before?.refreshToken) {
            // Another sign-in of this session was stored since this one began: it won.
            if (current.customerId === fresh.customerId && current.storeKey === fresh.storeKey)
              return { token: current, replaced: undefined };
            throw new CtpSessionError(
              CtpErrorCode.SessionChanged,
              'Another sign-in of this session finished first; this one was undone. Sign in again if needed.',
            );
          }
          // Claim first: only the sign-in whose compare-and-set wins moves the cart, so it ends with the customer stored.
          if (!(await tx.write(current, fresh))) {
            if (attempt < 3) continue;
            throw new CtpSessionError(
              CtpErrorCode.SessionChanged,
              'The session kept changing on other instances during the sign-in; this one was undone. Sign in again.',
            );
          }
          if (current?.kind === 'anonymous' && options.fromAnonymous) {
            try {
              await options.fromAnonymous(current);
            } catch (error) {
              // Put the anonymous session back, unless something else was stored meanwhile.
              await tx.write(fresh, current).catch(() => false);
              throw error;
            }
          }
          if (current) this.end(current);
          return { token: fresh, replaced: current };
        }
      });
    } catch (error) {
      await this.revoker.pair(fresh, `${options.reason}-rollback`);
      throw error;
    }
    // Revocations run on after the sign-in answers (tracked by the revoker): the shopper waits only for the grant and the cart.
    if (outcome.token !== fresh) void this.revoker.pair(fresh, `${options.reason}-duplicate`);
    else if (outcome.replaced) void this.retire(outcome.replaced, options.reason);
    return outcome;
  }

  /** Replaces the lineage `before` with `fresh` (a password change) if the session still holds it; else revokes `fresh`. */
  async replaceLineage(
    storage: SessionStorage,
    before: CtpAuthToken,
    fresh: CtpAuthToken,
    reason: string,
  ): Promise<CtpAuthToken> {
    let replaced: CtpAuthToken | undefined;
    try {
      replaced = await this.door.update<CtpAuthToken | undefined>(storage, (current) =>
        current?.refreshToken === before.refreshToken && !this.ended.has(before.refreshToken)
          ? { result: current, next: fresh }
          : { result: undefined },
      );
      if (replaced === undefined) {
        throw new CtpSessionError(
          CtpErrorCode.SessionChanged,
          'The session was signed out or signed in again while the password changed; the new password holds, this session was left as it is. Sign in again with the new password.',
        );
      }
    } catch (error) {
      await this.revoker.pair(fresh, `${reason}-rollback`);
      throw error;
    }
    this.end(replaced);
    await this.retire(replaced, reason);
    return fresh;
  }

  /** Clears the session if `matches(current)` and revokes its pair, as a logout would; says whether it cleared. */
  async clearIf(
    storage: SessionStorage,
    matches: (current: CtpAuthToken) => boolean,
    reason: string,
  ): Promise<boolean> {
    const cleared = await this.door.update<CtpAuthToken | undefined>(storage, (current) =>
      current && matches(current) ? { result: current, next: null } : { result: undefined },
    );
    if (!cleared) return false;
    this.end(cleared);
    await this.retire(cleared, reason);
    this.logger.info({ event: 'ctp.session.cleared', kind: cleared.kind, reason }, 'session cleared');
    return true;
  }
}
