import { AsyncLocalStorage } from 'node:async_hooks';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpSessionError } from '../errors/CtpSessionError';
import type { AnySessionStorage, LegacySessionStorage } from './fromLegacyStorage';
import type { SessionStorage } from './SessionStorage';

// On globalThis under a registered symbol: an app may load both the ESM and the CJS build, and a session
// set through `import` must be the one seen through `require`.
const CONTEXT_KEY = Symbol.for('ctp-client.sessionContext');
const holder = globalThis as { [CONTEXT_KEY]?: AsyncLocalStorage<AnySessionStorage> };
const context = (holder[CONTEXT_KEY] ??= new AsyncLocalStorage<AnySessionStorage>());

/**
 * Runs `fn` with `storage` as the current shopper's session, for everything `fn` awaits.
 *
 * @example
 * await runWithCtpSession(new MemorySessionStorage(), () => cartDatasource.findById(id));
 */
export function runWithCtpSession<T>(storage: SessionStorage | LegacySessionStorage, fn: () => T): T {
  return context.run(storage, fn);
}

/** The current request's session storage; throws CTP_NO_SESSION_CONTEXT outside one. */
export function currentSessionStorage(): AnySessionStorage {
  const storage = context.getStore();
  if (!storage) {
    throw new CtpSessionError(
      CtpErrorCode.NoSessionContext,
      'No shopper session in this context: install ctpSessionMiddleware() after the session middleware, or wrap the call in runWithCtpSession(storage, fn).',
    );
  }
  return storage;
}
