import type { CtpAuthToken } from '../auth/CtpAuthToken';
import { isRefreshRefused } from '../auth/isRefreshRefused';
import { isExpired } from '../auth/renewal';
import { CtpAuthUnavailableError } from '../errors/CtpAuthUnavailableError';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpOAuthError } from '../errors/CtpOAuthError';
import { CtpSessionError } from '../errors/CtpSessionError';

/**
 * Every way a refresh of a session's lineage can end, decided here and nowhere else. A lineage is
 * a refresh token (commercetools never rotates it); the session keeps it until a sign-out or a
 * sign-in replaces it, or the auth server refuses it (invalid_grant, and only that).
 *
 * - refused: the refresh token was refused for good; the session is cleared if it still holds it.
 * - transient: anything else failed (5xx, 429, a proxy, a timeout); the session is kept.
 * - ended: the lineage was ended (a sign-out or sign-in here; a sign-out or a refusal on another
 *   instance, which the coordinator answers as 'ended') before or while the refresh ran; this copy of
 *   the session still holds it, so it is cleared.
 * - kept: the session already holds what this refresh minted (another caller stored it).
 * - superseded: another renewal of the lineage was stored first; it wins, what this one minted is dropped.
 * - stored: what this refresh minted replaces the token it renewed.
 * - changed: the session holds another lineage (or none) now; what this refresh minted is nobody's.
 */
export type RenewalOutcome =
  | { kind: 'kept'; token: CtpAuthToken }
  | { kind: 'superseded'; token: CtpAuthToken; minted: CtpAuthToken }
  | { kind: 'stored'; token: CtpAuthToken; replaced: string }
  | { kind: 'ended' }
  | { kind: 'changed'; current: CtpAuthToken | undefined };

/** How a refresh attempt failed: a refusal ends the attempt's lineage, anything else keeps the session. */
export function refreshFailure(error: unknown): 'refused' | 'transient' {
  return isRefreshRefused(error) ? 'refused' : 'transient';
}

/**
 * How long the fleet is told that a refused lineage ended (the coordinator's endLineage): long enough
 * for the instances waiting on that refresh, and the copies of the session read meanwhile, to take
 * the mark rather than each be refused in turn. Past it, the auth server refuses a copy again.
 */
export const REFUSED_MARK_MS = 60_000;

/**
 * How long the fleet is told that a signed-out lineage ended: the revocation of its refresh token
 * may take a while to reach every node of the platform, and a stale copy of the session on another
 * instance must not refresh it meanwhile.
 */
export const SIGNED_OUT_MARK_MS = 24 * 3_600_000;

/**
 * What to store once a refresh of `token` ran (`minted` undefined: it was not run, or the coordinator
 * answered that the lineage ended), given what the session holds now and whether the lineage was ended here.
 */
export function renewalDecision(
  current: CtpAuthToken | undefined,
  token: CtpAuthToken,
  minted: CtpAuthToken | undefined,
  ended: boolean,
): { result: RenewalOutcome; next?: CtpAuthToken | null } {
  if (current?.refreshToken !== token.refreshToken) return { result: { kind: 'changed', current } };
  if (minted === undefined || ended) return { result: { kind: 'ended' }, next: null };
  if (current.accessToken === minted.accessToken) return { result: { kind: 'kept', token: current } };
  // Renewed already (another instance, or a write of a copy): the first renewal stored wins.
  if (current.accessToken !== token.accessToken) return { result: { kind: 'superseded', token: current, minted } };
  return { result: { kind: 'stored', token: minted, replaced: current.accessToken }, next: minted };
}

/** The 'kept' outcome read from a storage's cache, which needs no read past it (nothing is written). */
export function keptInCache(
  cached: CtpAuthToken | undefined,
  token: CtpAuthToken,
  minted: CtpAuthToken | undefined,
  ended: boolean,
): RenewalOutcome | undefined {
  return minted !== undefined &&
    !ended &&
    cached?.refreshToken === token.refreshToken &&
    cached.accessToken === minted.accessToken
    ? { kind: 'kept', token: cached }
    : undefined;
}

/** After a refusal: clear the session if it still holds the refused lineage; else keep what it holds. */
export function refusalDecision(
  current: CtpAuthToken | undefined,
  token: CtpAuthToken,
): { result: { cleared: boolean; current: CtpAuthToken | undefined }; next?: null } {
  return current?.refreshToken === token.refreshToken
    ? { result: { cleared: true, current: undefined }, next: null }
    : { result: { cleared: false, current } };
}

/**
 * A transient failure: the current token serves while it is valid (`defer`), unless the caller
 * needs a new one (`force`, a 401); then, and past expiry, the caller gets a typed error.
 */
export function transientFailure(
  token: CtpAuthToken,
  error: unknown,
  force: boolean,
  now: number,
): { defer: true } | { error: CtpError } {
  if (!force && !isExpired(token, now)) return { defer: true };
  if (error instanceof CtpError && !(error instanceof CtpOAuthError)) return { error };
  return {
    error: new CtpAuthUnavailableError(
      CtpErrorCode.AuthUnavailable,
      'The session could not be renewed just now (the auth server failed); the session was kept. Try again shortly.',
      {
        flow: 'refresh_token',
        attempts: 1,
        cause: error,
      },
    ),
  };
}

/** A builder's shopper is no longer the session's: its call fails, never retried in another name. */
export function builderSessionChanged(): CtpSessionError {
  return new CtpSessionError(
    CtpErrorCode.SessionChanged,
    'The session now belongs to another sign-in than the request builder was made for; the call was not retried. Get a new builder from customerApiRoot().',
  );
}
