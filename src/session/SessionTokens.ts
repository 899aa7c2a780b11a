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

/** How a new customer token takes a session over (login, sign-up). */
export interface ClaimOptions {
  /** For revocation logs: `login`, `sign-up`... */
  reason: string;
  /**
   * Runs after the session was claimed from an anonymous session and before the claim counts
   * (the backend sign-in that moves the cart); if it throws, the anonymous session is put back.
   */
  fromAnonymous?: (anonymous: CtpAuthToken) => Promise<void>;
}

/**
 * What every change of a session's tokens shares, whoever makes it (CtpSession's refreshes, sign-in
 * and sign-out; the account operations): the door (per-session serialisation and compare-and-set),
 * the revoker, and the lineages a sign-out or sign-in ended in this process. A lineage is a refresh
 * token (commercetools never rotates it); ending it makes a refresh of it in flight store nothing
 * and revoke what it mints.
 */
export class SessionTokens {
  readonly door: SessionDoor;
  readonly revoker: TokenRevoker;
  /** Lineages (refresh tokens, hashed) a logout or sign-in ended in this process. */
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

  /** Marks a lineage ended in this process: a refresh of it in flight stores nothing and revokes what it minted. */
  end(token: CtpAuthToken): void {
    this.ended.add(token.refreshToken);
  }

  /** Registers a renewal of `lineage` until it settles. */
  track<T>(lineage: string, work: Promise<T>): Promise<T> {
    let set = this.renewing.get(lineage);
    if (!set) this.renewing.set(lineage, (set = new Set()));
    const inSet = set;
    inSet.add(work);
    const untrack = () => {
      inSet.delete(work);
      if (inSet.size === 0 && this.renewing.get(lineage) === inSet) this.renewing.delete(lineage);
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

  /**
   * A new customer token takes the session over (sign-in, sign-up), alone among the session's
   * changes. It is stored by compare-and-set; if the session was anonymous, `fromAnonymous` runs
   * (put back on failure); the replaced tokens are revoked after it answers (in the background,
   * see TokenRevoker.settled()). If another sign-in was stored since
   * `before` was read, `fresh` is revoked and this fails with CTP_SESSION_CHANGED (or, for the same
   * customer and Store, the stored token is returned). On any failure the session stays as it was
   * and `fresh` is revoked.
   */
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
          // Claim the session first: across instances only the sign-in whose compare-and-set wins
          // moves the anonymous cart, so the cart always ends with the customer who is stored.
          if (!(await tx.write(current, fresh))) {
            // Another instance wrote meanwhile (a refresh, most likely): look again.
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
    // A sign-in answers without waiting for revocations: they run on after it (tracked by the
    // revoker until settled, each request bounded by the auth timeout, failures logged), so the
    // shopper waits for the grant and the backend sign-in only. The replaced pair's lineage is
    // ended already: nothing of this session uses it again.
    if (outcome.token !== fresh) {
      void this.revoker.pair(fresh, `${options.reason}-duplicate`);
      return outcome;
    }
    if (outcome.replaced) void this.retire(outcome.replaced, options.reason);
    return outcome;
  }

  /**
   * Replaces the session's lineage `before` with `fresh` (a password change signs in again with the
   * new password), only if the session still holds that lineage; the old pair is then revoked. If a
   * sign-out or another sign-in changed the session meanwhile, `fresh` is revoked, the session left
   * as it is, and this fails with CTP_SESSION_CHANGED.
   */
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
    } catch (error) {
      await this.revoker.pair(fresh, `${reason}-rollback`);
      throw error;
    }
    if (replaced === undefined) {
      await this.revoker.pair(fresh, `${reason}-rollback`);
      throw new CtpSessionError(
        CtpErrorCode.SessionChanged,
        'The session was signed out or signed in again while the password changed; the new password holds, this session was left as it is. Sign in again with the new password.',
      );
    }
    this.end(replaced);
    await this.retire(replaced, reason);
    return fresh;
  }

  /**
   * Clears the session if `matches(current)` and revokes its pair, as a logout would (a password
   * reset of the session's own customer). Says whether it cleared.
   */
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
