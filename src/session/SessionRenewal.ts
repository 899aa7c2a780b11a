import type { CtpAuthToken } from '../auth/CtpAuthToken';
import { needsRenewal } from '../auth/renewal';
import type { TokenIssuer } from '../auth/TokenIssuer';
import { CtpError } from '../errors/CtpError';
import { CtpOAuthError } from '../errors/CtpOAuthError';
import { CtpSessionExpiredError } from '../errors/CtpSessionExpiredError';
import type { CoordinatedRefresh, TokenCoordinator } from '../tokens/TokenCoordinator';
import { NO_TELEMETRY, type CtpTelemetry } from '../telemetry/CtpTelemetry';
import {
  builderSessionChanged,
  keptInCache,
  refreshFailure,
  REFUSED_MARK_MS,
  refusalDecision,
  renewalDecision,
  transientFailure,
  type RenewalOutcome,
} from '../tokens/renewalOutcome';
import type { Clock } from '../util/Clock';
import type { Logger } from '../util/Logger';
import { SingleFlight } from '../util/SingleFlight';
import type { SessionStorage } from './SessionStorage';
import type { SessionTokens } from './SessionTokens';
import { setBounded } from '../util/setBounded';

/** What refreshes a session: the auth server, or for an external session the app's callback (ExternalSignIn). */
export interface Renewer extends Pick<TokenIssuer, 'refresh'> {
  /** False when nothing could renew `token` ahead of its expiry (an external session without a refresh). */
  renews?(token: CtpAuthToken): boolean;
}

/** How long a token a refresh replaced stays valid for the calls still carrying it: past any API call's default deadline. */
const REPLACED_TOKEN_GRACE_MS = 60_000;

/**
 * One refresh per lineage (in the fleet through the coordinator), its outcome decided by renewalOutcome
 * and stored through the door, so a sign-out or sign-in that ended the lineage meanwhile always wins.
 */
export class SessionRenewal {
  readonly #refreshes = new SingleFlight<string, CoordinatedRefresh>();
  /** Refresh results by the access token they replaced, for callers that read it just before. */
  readonly #recent = new Map<string, CtpAuthToken>();
  /** Background refreshes by session and lineage: one at a time each. */
  readonly #ahead = new Map<unknown, Promise<void>>();

  constructor(
    private readonly t: SessionTokens,
    private readonly issuer: Renewer,
    private readonly coordinator: TokenCoordinator,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly telemetry: CtpTelemetry = NO_TELEMETRY,
  ) {}

  /** Starts a background refresh of `token` unless one of this session's lineage runs; never throws (failures are logged). */
  ahead(storage: SessionStorage, token: CtpAuthToken): void {
    const key = storage.id === undefined ? storage : JSON.stringify([storage.id, token.refreshToken]);
    if (this.#ahead.has(key) || this.issuer.renews?.(token) === false) return;
    const running = this.renew(storage, token).then(
      () => undefined,
      (error: unknown) => {
        const code = error instanceof CtpError ? error.code : 'UNKNOWN';
        // A sign-out or refusal that ended the session is not a failure of the refresh (logged where it happened).
        if (error instanceof CtpSessionExpiredError)
          this.logger.debug(
            { event: 'ctp.renewal.ahead_ended', kind: token.kind, code },
            'background refresh found the session ended',
          );
        else
          this.logger.warn(
            { event: 'ctp.renewal.ahead_failed', kind: token.kind, code },
            'background refresh failed; the current token serves until it expires',
          );
      },
    );
    this.#ahead.set(key, running);
    void running.finally(() => this.#ahead.delete(key));
  }

  async settled(): Promise<void> {
    while (this.#ahead.size > 0) await Promise.all([...this.#ahead.values()]);
  }

  /** `recovering`: after a 401 of this lineage's builder; a transient failure is its error, another lineage fails it. */
  renew(storage: SessionStorage, token: CtpAuthToken, recovering = false): Promise<CtpAuthToken> {
    return this.t.track(token.refreshToken, this.#renewOnce(storage, token, recovering));
  }

  /** After a 401 on `stale`; read past any cache: the session may have changed on another instance a moment ago. */
  async recover(storage: SessionStorage, lineage: string, stale: string): Promise<CtpAuthToken> {
    const current = await this.t.door.read(storage, { fresh: true });
    if (!current) throw new CtpSessionExpiredError('the session was cleared');
    if (current.refreshToken !== lineage) throw builderSessionChanged();
    if (current.accessToken !== stale) return current;
    return this.renew(storage, current, true);
  }

  async #renewOnce(storage: SessionStorage, token: CtpAuthToken, recovering: boolean): Promise<CtpAuthToken> {
    let minted: CtpAuthToken | undefined;
    if (!this.t.ended.has(token.refreshToken)) {
      try {
        const refreshed = await this.#refreshes.run(token.refreshToken, () => this.#refresh(token));
        // 'ended' (by another instance): what the session holds now decides, as for a sign-out here.
        if (refreshed !== 'ended') minted = refreshed;
      } catch (error) {
        if (refreshFailure(error) === 'refused')
          return this.#refused(storage, token, error as CtpOAuthError, recovering);
        return this.#transient(token, error, recovering);
      }
    }
    const ended = () => this.t.ended.has(token.refreshToken);
    const outcome = await this.t.door.update<RenewalOutcome>(
      storage,
      (current) => renewalDecision(current, token, minted, ended()),
      (cached) => keptInCache(cached, token, minted, ended()),
    );
    // What an external session's refresh minted is the identity provider's: never sent to commercetools.
    const revoker = token.external === true ? undefined : this.t.revoker;
    switch (outcome.kind) {
      case 'kept':
        return outcome.token;
      case 'superseded':
        void revoker?.access(outcome.minted.accessToken, token.kind, 'refresh-superseded');
        return outcome.token;
      case 'stored':
        // Revoked after a grace period: calls in flight (here, in parallel requests, on other instances) still carry it.
        revoker?.accessLater(outcome.replaced, token.kind, 'refresh-replaced', REPLACED_TOKEN_GRACE_MS);
        return outcome.token;
      case 'ended':
        this.t.end(token);
        if (minted !== undefined) await revoker?.access(minted.accessToken, token.kind, 'refresh-discarded');
        throw new CtpSessionExpiredError('the session was signed out');
      case 'changed':
        if (minted !== undefined) await revoker?.access(minted.accessToken, token.kind, 'refresh-discarded');
        if (!outcome.current) throw new CtpSessionExpiredError('the session was signed out during the refresh');
        if (recovering) throw builderSessionChanged();
        return outcome.current;
    }
  }

  async #refresh(token: CtpAuthToken): Promise<CoordinatedRefresh> {
    // A caller that read the token just before another caller's refresh of it finished gets its result.
    const recent = this.#recent.get(token.accessToken);
    if (recent !== undefined && !needsRenewal(recent, this.clock.now())) return recent;
    const refreshed = await this.coordinator.refresh(
      token,
      () => this.#refreshOrEnd(token),
      (candidate) => candidate.accessToken !== token.accessToken && !needsRenewal(candidate, this.clock.now()),
    );
    if (refreshed === 'ended') return refreshed;
    // A late reader comes within moments: a small window is enough.
    setBounded(this.#recent, token.accessToken, refreshed, 1_000);
    return refreshed;
  }

  // A refusal ends the lineage for the fleet before the coordinator lets another instance refresh it, so
  // the instances waiting read the mark rather than each be refused in turn (a failed mark costs only that).
  async #refreshOrEnd(token: CtpAuthToken): Promise<CtpAuthToken> {
    try {
      return await this.issuer.refresh(token);
    } catch (error) {
      if (refreshFailure(error) === 'refused')
        await this.coordinator.endLineage(token.refreshToken, REFUSED_MARK_MS).catch(() => undefined);
      throw error;
    }
  }

  async #refused(
    storage: SessionStorage,
    token: CtpAuthToken,
    refused: CtpOAuthError,
    recovering: boolean,
  ): Promise<CtpAuthToken> {
    const { cleared, current } = await this.t.door.update(storage, (stored) => refusalDecision(stored, token));
    this.t.end(token);
    // Logged by the one caller that cleared it, not by every request that saw the refusal.
    if (cleared) {
      this.logger.warn(
        { event: 'ctp.session.expired', kind: token.kind, error: refused.error },
        'refresh refused; session cleared',
      );
      this.telemetry.sessionExpiries?.add(1);
    }
    if (current === undefined) throw new CtpSessionExpiredError('the refresh token was refused', { cause: refused });
    // Refused because a sign-in replaced this lineage meanwhile: the session lives on in the new one.
    if (recovering) throw builderSessionChanged();
    return current;
  }

  #transient(token: CtpAuthToken, error: unknown, recovering: boolean): CtpAuthToken {
    const failure = transientFailure(token, error, recovering, this.clock.now());
    if (failure) throw failure;
    const code = error instanceof CtpError ? error.code : 'UNKNOWN';
    this.logger.warn(
      { event: 'ctp.renewal.deferred', kind: token.kind, code },
      'refresh failed; using the current token until it expires',
    );
    return token;
  }
}
