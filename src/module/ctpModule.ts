import { ContainerModule } from 'inversify';
import type { CtpConfig } from '../config/CtpConfig';
import { CtpIdentifiers } from './CtpIdentifiers';
import type { CtpModuleOptions } from './CtpModuleOptions';
import { wireCtpServices } from './createCtpServices';

/** The part of a binding's fluent syntax ctpModule uses; the same in inversify 6, 7 and 8. */
interface ConstantBinding {
  toConstantValue(value: unknown): unknown;
}

/** What a ContainerModule's load callback receives, reduced to what ctpModule needs. */
interface ModuleHost {
  bind(serviceIdentifier: string): ConstantBinding;
  /** Runs `fn` when the container deactivates the binding (unload, unbind). */
  onDeactivation(serviceIdentifier: string, fn: (value: unknown) => void | Promise<void>): void;
}

/**
 * inversify 6 calls the load callback with positional functions
 * (bind, unbind, isBound, rebind, unbindAsync, onActivation, onDeactivation); inversify 7 and 8 call
 * it with one options object. Both shapes are read here, so one build serves every host.
 */
function moduleHost(args: readonly unknown[]): ModuleHost {
  const [first] = args;
  if (typeof first === 'function') {
    const bind = first as ModuleHost['bind'];
    const onDeactivation = args[6] as ModuleHost['onDeactivation'] | undefined;
    return { bind, onDeactivation: onDeactivation ?? (() => undefined) };
  }
  const options = first as Partial<ModuleHost> | undefined;
  if (typeof options?.bind !== 'function') {
    throw new TypeError(
      'ctpModule: this inversify passes neither bind(...) nor { bind }; supported are inversify 6, 7 and 8',
    );
  }
  return { bind: options.bind, onDeactivation: options.onDeactivation ?? (() => undefined) };
}

/**
 * An inversify ContainerModule binding 'CtpClient', 'CtpSession', 'ScopeRegistry' and 'CtpConfig'.
 * Config and options are validated here, so a bad configuration fails at start-up, not on the first
 * request. Constant bindings keep the library's classes free of decorator metadata.
 *
 * Works with inversify 6 (`container.load`), 7 (`await container.load` or `container.loadSync`) and 8
 * (`container.load` or `await container.loadAsync`): the registration itself is synchronous.
 *
 * @example
 * const container = new Container();
 * container.load(ctpModule(loadCtpConfig(), { logger: pino() }));
 */
export function ctpModule(config: CtpConfig, options: CtpModuleOptions = {}): ContainerModule {
  // Checked under this function's name, so the message names what the app called.
  const services = wireCtpServices(config, options, 'ctpModule');
  // One callback for both calling conventions; inversify's own types describe only the installed
  // major, so the callback is typed loosely and narrowed in moduleHost().
  const load = (...args: unknown[]): void => {
    const host = moduleHost(args);
    host.bind(CtpIdentifiers.CtpConfig).toConstantValue(services.config);
    host.bind(CtpIdentifiers.ScopeRegistry).toConstantValue(services.registry);
    host.bind(CtpIdentifiers.CtpSession).toConstantValue(services.session);
    host.bind(CtpIdentifiers.CtpClient).toConstantValue(services.client);
    if (services.redis) host.bind(CtpIdentifiers.CtpRedis).toConstantValue(services.redis);
    if (services.sessionCache) host.bind(CtpIdentifiers.CtpRedisSessionCache).toConstantValue(services.sessionCache);
    // Disposal on container unload, on the binding every app resolves. Synchronous on purpose: a
    // promise returned here makes the sync unload() of inversify 6 and 8 throw. close() goes on by
    // itself (abort API calls, stop timers, quit a Redis client made from a URL); to wait for it, use
    // createCtpServices() and await close().
    host.onDeactivation(CtpIdentifiers.CtpClient, () => {
      void services.close();
    });
  };
  return new ContainerModule(load);
}
