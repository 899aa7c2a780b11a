import type { CtpConfig } from '../config/CtpConfig';
import { validateCtpConfig } from '../config/createCtpConfig';
import { CtpConfigError } from '../errors/CtpConfigError';
import { MODULE_OPTION_NAMES } from './unknownOptionProblems';

const HOW =
  'pass loadCtpConfig() (it reads CTP_PROJECT_KEY, CTP_CLIENT_ID, CTP_CLIENT_SECRET, CTP_AUTH_URL and CTP_API_URL) or createCtpConfig({ projectKey, clientId, clientSecret, authUrl, apiUrl })';

/**
 * The config argument, checked before anything reads it: a CtpConfigError saying what to pass, not a TypeError.
 * A frozen config is used as it is, a spread copy validated again. Nothing of it is echoed: it may be a secret.
 */
export function ctpConfigArgument(caller: 'ctpModule' | 'createCtpServices', value: unknown): CtpConfig {
  const refuse = (what: string) => new CtpConfigError([`${caller}(config, options?): ${what}`]);
  if (value === undefined || value === null) throw refuse(`config is missing: ${HOW}`);
  if (typeof value !== 'object') throw refuse(`config is a ${typeof value}, not a CtpConfig: ${HOW}`);
  const object = value as Record<string, unknown>;
  const secret = object['clientSecret'] as { reveal?: unknown } | undefined;
  if (typeof secret === 'object' && secret !== null && typeof secret.reveal === 'function') {
    if (Object.isFrozen(value)) return value as CtpConfig;
    return validateCtpConfig(value, (key) => `config.${key}`);
  }
  if ('CTP_PROJECT_KEY' in object || 'CTP_CLIENT_ID' in object) {
    throw refuse(
      'config looks like environment variables (CTP_*), not a CtpConfig: pass loadCtpConfig(thoseVariables), which validates them',
    );
  }
  if (typeof object['projectKey'] === 'string' || typeof object['clientSecret'] === 'string') {
    throw refuse(
      'config is a plain object, not a CtpConfig: pass createCtpConfig(thatObject), which validates it and keeps clientSecret out of logs',
    );
  }
  if (MODULE_OPTION_NAMES.some((key) => key in object)) {
    throw refuse(`config looks like the module options: the config comes first, ${caller}(loadCtpConfig(), options)`);
  }
  throw refuse(`config is not a CtpConfig: ${HOW}`);
}
