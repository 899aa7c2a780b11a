/** The service identifiers ctpModule binds: strings, as the datasources inject them (`@inject('CtpClient')`). */
export const CtpIdentifiers = Object.freeze({
  CtpClient: 'CtpClient',
  CtpSession: 'CtpSession',
  ScopeRegistry: 'ScopeRegistry',
  CtpConfig: 'CtpConfig',
  /** Bound only when Redis is configured: the client ctp-client uses, for a RedisSessionStorage. */
  CtpRedis: 'CtpRedis',
  /** Bound only when the sessions' cache is on: pass it to each RedisSessionStorage (`{ cache }`). */
  CtpRedisSessionCache: 'CtpRedisSessionCache',
} as const);
