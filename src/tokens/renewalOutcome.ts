import type { CtpAuthToken } from '../auth/CtpAuthToken';
import { isRefreshRefused } from '../auth/isRefreshRefused';
import { isExpired } from '../auth/renewal';
import { CtpAuthUnavailableError } from '../errors/CtpAuthUnavailableError';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpOAuthError } from '../errors/CtpOAuthError';
import { CtpSessionError } from '../errors/CtpSessionError';

/**
 * Every way a refresh of a session's lineage (its refresh token, never rotated) can end, decided here only:
 * - refused (invalid_grant, and only that): the session is cleared if it still holds the lineage.
 * - transient (5xx, 429, a proxy, a timeout): the session is kept.
 * - ended: a sign-out or sign-in (here, or on another instance: the coordinator's 'ended') ended the
 *   lineage before or while the refresh ran; this copy of the session still holds it, so it is cleared.
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

export function refreshFailure(error: unknown): 'refused' | 'transient' {
  return isRefreshRefused(error) ? 'refused' : 'transient';
}

/** How long the fleet is told a refused lineage ended: enough for the instances waiting on it to take the mark rather than each be refused. */
export const REFUSED_MARK_MS = 60_000;

/** How long the fleet is told a signed-out lineage ended: its revocation may take a while to reach every platform node. */
export const SIGNED_OUT_MARK_MS = 24 * 3_600_000;

/** What to store once a refresh of `token` ran (`minted` undefined: not run, or the lineage ended elsewhere). */
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

/** The 'kept' outcome, read from a storage's cache: nothing is written, so no read past it is needed. */
export function keptInCache(
  cached: CtpAuthToken | undefined,
  token: CtpAuthToken,
  minted: CtpAuthToken | undefined,
  ended: boolean,
): RenewalOutcome | undefined {
  const { result } = renewalDecision(cached, token, minted, ended);
  return result.kind === 'kept' ? result : undefined;
}

export function refusalDecision(
  current: CtpAuthToken | undefined,
  token: CtpAuthToken,
): { result: { cleared: boolean; current: CtpAuthToken | undefined }; next?: null } {
  return current?.refreshToken === token.refreshToken
    ? { result: { cleared: true, current: undefined }, next: null }
    : { result: { cleared: false, current } };
}

/**
 * The caller's error after a transient failure, or undefined: the current token serves while valid,
 * unless the caller needs a new one (`force`, a 401).
 */
export function transientFailure(
  token: CtpAuthToken,
  error: unknown,
  force: boolean,
  now: number,
): CtpError | undefined {
  if (!force && !isExpired(token, now)) return undefined;
  if (error instanceof CtpError && !(error instanceof CtpOAuthError)) return error;
  return new CtpAuthUnavailableError(
    CtpErrorCode.AuthUnavailable,
    'The session could not be renewed just now (the auth server failed); the session was kept. Try again shortly.',
    {
      flow: 'refresh_token',
      attempts: 1,
      cause: error,
    },
  );
}

/** A builder's shopper is no longer the session's: its call fails, never retried in another name. */
export function builderSessionChanged(): CtpSessionError {
  return new CtpSessionError(
    CtpErrorCode.SessionChanged,
    'The session now belongs to another sign-in than the request builder was made for; the call was not retried. Get a new builder from customerApiRoot().',
  );
}
