// The public surface. Everything not exported here is private to the package.
export type { CtpAuthToken } from './auth/CtpAuthToken';
export { parseStoredToken } from './auth/CtpAuthToken';
export { toStoredSession, type StoredScopeSets, type StoredSession } from './auth/StoredSession';
export type { FetchLike } from './auth/AuthTransport';
export type { RetryPolicy } from './auth/RetryPolicy';
export { DEFAULT_RETRY_POLICY } from './auth/RetryPolicy';
export type { IntrospectionResult, PasswordCredentials } from './auth/OAuthClient';
export { OAuthClient } from './auth/OAuthClient';
export { renewalMarginMs } from './auth/renewal';
export { CtpClient } from './client/CtpClient';
export {
  currentCorrelationId,
  runWithCorrelationId,
  withApiCallOptions,
  type ApiCallOptions,
} from './util/apiCallContext';
export type { ApiEngineName, EngineMiddleware } from './client/ApiEngine';
export { isConcurrentModification, retryOnConflict, type RetryOnConflictOptions } from './client/retryOnConflict';
export { isValidCorrelationId } from './util/correlationId';
export type { CtpConfig } from './config/CtpConfig';
export { CtpSecret } from './config/CtpSecret';
export { createCtpConfig, type CtpConfigInput } from './config/createCtpConfig';
export { loadCtpConfig } from './config/loadCtpConfig';
export { CtpAccountError, type CtpFieldError } from './errors/CtpAccountError';
export { CtpAnswerRefusedError } from './errors/CtpAnswerRefusedError';
export { CtpArgumentError } from './errors/CtpArgumentError';
export { CtpApiError, type CtpApiErrorOptions } from './errors/CtpApiError';
export { CtpAuthUnavailableError } from './errors/CtpAuthUnavailableError';
export { CtpConfigError } from './errors/CtpConfigError';
export { CtpError } from './errors/CtpError';
export { CtpErrorCode } from './errors/CtpErrorCode';
export { CtpInvalidCredentialsError } from './errors/CtpInvalidCredentialsError';
export { CtpOAuthError } from './errors/CtpOAuthError';
export { CtpRedisError } from './errors/CtpRedisError';
export { CtpScopeError } from './errors/CtpScopeError';
export { CtpSessionError } from './errors/CtpSessionError';
export { CtpSessionExpiredError } from './errors/CtpSessionExpiredError';
export { CtpTokenResponseError } from './errors/CtpTokenResponseError';
export { ctpErrorHandler, type CtpErrorHandlerOptions } from './http/ctpErrorHandler';
export { ctpErrorResponse, type CtpErrorResponse } from './http/ctpErrorResponse';
export { createRedisClient } from './fleet/createRedisClient';
export type { RedisLike } from './fleet/RedisLike';
export type { RedisSessionCache } from './fleet/RedisSessionCache';
export { RedisSessionStorage, type RedisSessionStorageOptions } from './fleet/RedisSessionStorage';
export { createCtpServices, type CtpServices } from './module/createCtpServices';
export { CtpIdentifiers } from './module/CtpIdentifiers';
export type { ApiOptions, CtpModuleOptions, RedisOptions } from './module/CtpModuleOptions';
export { ctpModule } from './module/ctpModule';
export { ASSOCIATE_SCOPES, DEFAULT_SCOPE_SETS, LEGACY_SERVER_V3_CUSTOMER_SCOPES } from './scopes/defaultScopeSets';
export { ScopeRegistry, type ScopeRegistryOptions } from './scopes/ScopeRegistry';
export { SCOPE_SET_NAMES, type ScopeSetName, type ScopeSpec } from './scopes/ScopeSetName';
export type {
  ChangePasswordOptions,
  CtpTokenMessage,
  CtpTokenSender,
  CustomerDraft,
  SignUpOptions,
  StoreOption,
} from './session/account/CustomerDraft';
export { ctpSessionMiddleware } from './session/ctpSessionMiddleware';
export { CtpSession, type AccessTokenOptions, type LoginOptions } from './session/ShopperSession';
export type { AnonymousCartSignInMode } from './session/CustomerSignIn';
export {
  DEFAULT_SESSION_KEY,
  expressRequestStorage,
  expressSessionStorage,
  type RequestWithSession,
  type SessionLike,
} from './session/expressSessionStorage';
export { regenerateSession } from './session/regenerateSession';
export { MemorySessionStorage } from './session/MemorySessionStorage';
export { currentSessionStorage, runWithCtpSession } from './session/sessionContext';
export { sameStoredSession, type SessionStorage } from './session/SessionStorage';
export { fromLegacyStorage, type AnySessionStorage, type LegacySessionStorage } from './session/fromLegacyStorage';
export type { TokenOwner, TokenSource } from './tokens/TokenSource';
export type { Clock } from './util/Clock';
export type { Logger } from './util/Logger';
