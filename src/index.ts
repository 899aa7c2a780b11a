// The public surface, chosen on purpose: what an app binds, calls, implements, catches and
// configures. Everything else is private to the package; api/ctp-client.api.md records this surface
// (`npm run api:check` fails when it changes without the report).

// Bind and wire.
export { ctpModule } from './module/ctpModule';
export { createCtpServices, type CtpServices } from './module/createCtpServices';
export { CtpIdentifiers } from './module/CtpIdentifiers';
export type { CtpModuleOptions } from './module/CtpModuleOptions';

// Configure.
export type { CtpConfig } from './config/CtpConfig';
export { CtpSecret } from './config/CtpSecret';
export { createCtpConfig } from './config/createCtpConfig';
export { loadCtpConfig } from './config/loadCtpConfig';

// Call: the SDK's request builders, the shopper's session, and what wraps calls.
export type { CtpClient } from './client/CtpClient';
export type { ActAsCustomerOptions, ActingForCustomer } from './client/CustomerService';
export { CART_LOCK_MAX_MS } from './client/CustomerService';
export type { CtpSession } from './session/CtpSession';
export type { ExternalRefresh, ExternalSession, ExternalToken } from './session/ExternalRefresh';
export type { CtpAuthToken } from './auth/CtpAuthToken';
export type { CustomerDraft } from './session/account/CustomerDraft';
export { ctpSessionMiddleware } from './session/ctpSessionMiddleware';
export { runWithCtpSession } from './session/sessionContext';
export { regenerateSession } from './session/regenerateSession';
export { withApiCallOptions } from './util/apiCallContext';
export { retryOnConflict } from './client/retryOnConflict';

// Shoppers signed in at the shop's own identity provider (commercetools External OAuth).
export {
  createIntrospectionHandler,
  type ExternalIdentity,
  type IntrospectionHandler,
  type IntrospectionHandlerOptions,
} from './external/createIntrospectionHandler';

// Implement: where the shopper's session is kept, the app's logger and clock.
export type { SessionStorage } from './session/SessionStorage';
export { sameStoredSession } from './session/SessionStorage';
export type { LegacySessionStorage } from './session/fromLegacyStorage';
export type { StoredSession } from './auth/StoredSession';
export { MemorySessionStorage } from './session/MemorySessionStorage';
export { RedisSessionStorage } from './fleet/RedisSessionStorage';
export type { RedisLike } from './fleet/RedisLike';
export type { RedisSessionCache } from './fleet/RedisSessionCache';
export type { Logger } from './util/Logger';
export type { Clock } from './util/Clock';

// Catch and answer: every error is a CtpError with a stable code; the subclasses that carry fields apps read.
export { CtpError } from './errors/CtpError';
export { CtpErrorCode } from './errors/CtpErrorCode';
export { CtpApiError } from './errors/CtpApiError';
export { CtpAccountError } from './errors/CtpAccountError';
export { CtpConfigError } from './errors/CtpConfigError';
export { CtpSessionExpiredError } from './errors/CtpSessionExpiredError';
export { ctpErrorResponse } from './http/ctpErrorResponse';
export { ctpErrorHandler } from './http/ctpErrorHandler';
