import type { OAuthClient } from '../auth/OAuthClient';
import type { TokenCoordinator } from '../fleet/TokenCoordinator';
import type { CtpSession } from '../session/CtpSession';
import type { Logger } from '../util/Logger';
import type { CtpTelemetry } from './CtpTelemetry';

/**
 * Traces the OAuth client's grants and refreshes in place (the instance the issuer and session
 * already hold), so the auth code itself knows nothing of telemetry.
 */
export function instrumentOAuth(oauth: OAuthClient, t: CtpTelemetry): void {
  const clientCredentials = oauth.clientCredentials.bind(oauth);
  const anonymous = oauth.anonymous.bind(oauth);
  const password = oauth.password.bind(oauth);
  const refresh = oauth.refresh.bind(oauth);
  oauth.clientCredentials = (scope) => t.span('ctp.auth.grant', { 'ctp.grant_type': 'client_credentials' }, () => clientCredentials(scope), t.grantDuration);
  oauth.anonymous = (scope, anonymousId) => t.span('ctp.auth.grant', { 'ctp.grant_type': 'anonymous' }, () => anonymous(scope, anonymousId), t.grantDuration);
  oauth.password = (credentials, scope) => t.span('ctp.auth.grant', { 'ctp.grant_type': 'password' }, () => password(credentials, scope), t.grantDuration);
  oauth.refresh = (refreshToken, heldTokens) => t.span('ctp.auth.refresh', { 'ctp.grant_type': 'refresh_token' }, () => refresh(refreshToken, heldTokens), t.refreshDuration);
}

/** Fleet coordination (lock wait, or the wait for another instance's result, with the grant nested). */
export function instrumentCoordinator(coordinator: TokenCoordinator, t: CtpTelemetry): TokenCoordinator {
  return {
    shared: (id, grant, isFresh) => t.span('ctp.fleet.coordinate', { 'ctp.token.owner': id.name }, () => coordinator.shared(id, grant, isFresh)),
    refresh: (token, refresh, isFresh) => t.span('ctp.fleet.coordinate', { 'ctp.token.owner': 'shopper' }, () => coordinator.refresh(token, refresh, isFresh)),
    endSession: (refreshToken) => coordinator.endSession(refreshToken),
  };
}

/** Spans for the session's state changes: sign-in, sign-out, sign-up and the password changes. */
export function instrumentSession(session: CtpSession, t: CtpTelemetry): void {
  const login = session.login.bind(session);
  const logout = session.logout.bind(session);
  const signUp = session.signUp.bind(session);
  const changePassword = session.changePassword.bind(session);
  const resetPassword = session.resetPassword.bind(session);
  session.login = (email, password, options) => t.span('ctp.session.login', {}, () => login(email, password, options));
  session.logout = () => t.span('ctp.session.logout', {}, () => logout());
  // No attribute from the draft: it holds the email and the password.
  session.signUp = (draft, options) => t.span('ctp.session.sign_up', {}, () => signUp(draft, options));
  session.changePassword = (current, next, options) => t.span('ctp.session.change_password', {}, () => changePassword(current, next, options));
  session.resetPassword = (tokenValue, next, options) => t.span('ctp.session.reset_password', {}, () => resetPassword(tokenValue, next, options));
}

/** The logger, with the events that are also metrics counted. */
export function observedLogger(logger: Logger, t: CtpTelemetry): Logger {
  return {
    debug: (obj, msg) => logger.debug(obj, msg),
    info: (obj, msg) => {
      t.observe(obj);
      logger.info(obj, msg);
    },
    warn: (obj, msg) => {
      t.observe(obj);
      logger.warn(obj, msg);
    },
    error: (obj, msg) => logger.error(obj, msg),
  };
}
