import { AsyncLocalStorage } from 'node:async_hooks';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import type { SessionStorage } from './SessionStorage';

// One per process (per copy of this module): the request's storage follows its async calls, so
// datasources reach it without passing the request around.
const context = new AsyncLocalStorage<SessionStorage>();

/**
 * Runs `fn` with `storage` as the current shopper's session, for everything `fn` awaits.
 *
 * @example
 * await runWithCtpSession(new MemorySessionStorage(), () => cartDatasource.findById(id));
 */
export function runWithCtpSession<T>(storage: SessionStorage, fn: () => T): T {
  return context.run(storage, fn);
}

/** The current request's session storage; throws CTP_NO_SESSION_CONTEXT outside one. */
export function currentSessionStorage(): SessionStorage {
  const storage = context.getStore();
  if (!storage) {
    throw new CtpSessionError(
      CtpErrorCode.NoSessionContext,
      'No shopper session in this context: install ctpSessionMiddleware() after the session middleware, or wrap the call in runWithCtpSession(storage, fn).',
    );
  }
  return storage;
}
