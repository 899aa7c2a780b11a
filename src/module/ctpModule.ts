import { ContainerModule } from 'inversify';
import type { CtpConfig } from '../config/CtpConfig';
import { CtpIdentifiers } from './CtpIdentifiers';
import type { CtpModuleOptions } from './CtpModuleOptions';
import { createCtpServices } from './createCtpServices';

/**
 * An inversify ContainerModule binding 'CtpClient', 'CtpSession', 'ScopeRegistry' and 'CtpConfig'.
 * Config and options are validated here, so a bad configuration fails at start-up, not on the first
 * request. Constant bindings keep the library's classes free of decorator metadata.
 *
 * @example
 * const container = new Container();
 * container.load(ctpModule(loadCtpConfig(), { logger: pino() }));
 */
export function ctpModule(config: CtpConfig, options: CtpModuleOptions = {}): ContainerModule {
  const services = createCtpServices(config, options);
  return new ContainerModule(({ bind }) => {
    bind(CtpIdentifiers.CtpConfig).toConstantValue(services.config);
    bind(CtpIdentifiers.ScopeRegistry).toConstantValue(services.registry);
    bind(CtpIdentifiers.CtpSession).toConstantValue(services.session);
    bind(CtpIdentifiers.CtpClient).toConstantValue(services.client);
    if (services.redis) bind(CtpIdentifiers.CtpRedis).toConstantValue(services.redis);
  });
}
