import { ContainerModule } from 'inversify';
import type { CtpConfig } from '../config/CtpConfig';
import { CtpIdentifiers } from './CtpIdentifiers';
import type { CtpModuleOptions } from './CtpModuleOptions';
import { wireCtpServices } from './createCtpServices';

/** What ctpModule needs of a ContainerModule's load callback, the same in inversify 6, 7 and 8. */
interface ModuleHost {
  bind(serviceIdentifier: string): { toConstantValue(value: unknown): unknown };
  onDeactivation(serviceIdentifier: string, fn: (value: unknown) => void | Promise<void>): void;
}

/**
 * inversify 6 calls the load callback with positional functions (bind, ..., onDeactivation is the 7th);
 * inversify 7 and 8 with one options object. Both are read here, so one build serves every host.
 */
function moduleHost(args: readonly unknown[]): ModuleHost {
  const [first] = args;
  const host = (typeof first === 'function' ? { bind: first, onDeactivation: args[6] } : first) as
    Partial<ModuleHost> | undefined;
  if (typeof host?.bind !== 'function') {
    throw new TypeError(
      'ctpModule: this inversify passes neither bind(...) nor { bind }; supported are inversify 6, 7 and 8',
    );
  }
  return { bind: host.bind, onDeactivation: host.onDeactivation ?? (() => undefined) };
}

/**
 * An inversify ContainerModule binding 'CtpClient', 'CtpSession', 'ScopeRegistry' and 'CtpConfig'. Config and
 * options are validated here, so a bad configuration fails at start-up. Works with inversify 6, 7 and 8.
 *
 * @example
 * const container = new Container();
 * container.load(ctpModule(loadCtpConfig(), { logger: pino() }));
 */
export function ctpModule(config: CtpConfig, options: CtpModuleOptions = {}): ContainerModule {
  const services = wireCtpServices(config, options, 'ctpModule');
  // Constant bindings keep our classes free of decorator metadata. Typed loosely: inversify's types describe
  // only the installed major.
  const load = (...args: unknown[]): void => {
    const host = moduleHost(args);
    host.bind(CtpIdentifiers.CtpConfig).toConstantValue(services.config);
    host.bind(CtpIdentifiers.ScopeRegistry).toConstantValue(services.registry);
    host.bind(CtpIdentifiers.CtpSession).toConstantValue(services.session);
    host.bind(CtpIdentifiers.CtpClient).toConstantValue(services.client);
    if (services.redis) host.bind(CtpIdentifiers.CtpRedis).toConstantValue(services.redis);
    if (services.sessionCache) host.bind(CtpIdentifiers.CtpRedisSessionCache).toConstantValue(services.sessionCache);
    // close() on unload, hooked on the binding every app resolves. Synchronous on purpose: a promise returned
    // here makes the sync unload() of inversify 6 and 8 throw (to await close(), use createCtpServices()).
    host.onDeactivation(CtpIdentifiers.CtpClient, () => {
      void services.close();
    });
  };
  return new ContainerModule(load);
}
