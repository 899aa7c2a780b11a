import { CtpConfigError } from '../errors/CtpConfigError';
import { parseScopeList } from '../scopes/scopeString';
import type { CtpConfig } from './CtpConfig';
import { CONFIG_VARIABLES, validateCtpConfig } from './createCtpConfig';

/**
 * Reads CTP_PROJECT_KEY, CTP_CLIENT_ID, CTP_CLIENT_SECRET, CTP_AUTH_URL, CTP_API_URL and the optional CTP_SCOPES,
 * CTP_REDIS_URL, CTP_CHECKOUT_APPLICATION_KEY and CTP_CHECKOUT_URL; every problem at once in one CtpConfigError.
 * @example
 * container.load(ctpModule(loadCtpConfig()));
 */
export function loadCtpConfig(env: Record<string, string | undefined> = process.env): CtpConfig {
  if (typeof env !== 'object' || env === null)
    throw new CtpConfigError([
      'loadCtpConfig(env): env must be an object of CTP_* variables, such as process.env (the default)',
    ]);
  const projectKey = env['CTP_PROJECT_KEY']?.trim();
  const rawScopes = env['CTP_SCOPES']?.trim();
  const parsed = rawScopes && projectKey ? parseScopeList(rawScopes, projectKey) : undefined;
  const scopeProblems = parsed?.problems.map((p) => `CTP_SCOPES: ${p}`) ?? [];
  const integrationScopes = parsed?.specs;
  return validateCtpConfig(
    {
      projectKey,
      clientId: env['CTP_CLIENT_ID'],
      clientSecret: env['CTP_CLIENT_SECRET'],
      authUrl: env['CTP_AUTH_URL'],
      apiUrl: env['CTP_API_URL'],
      // A list whose every entry was malformed is reported through scopeProblems, not as "empty";
      // the well-formed entries are still checked against the known scope names.
      integrationScopes: scopeProblems.length > 0 && integrationScopes?.length === 0 ? undefined : integrationScopes,
      redisUrl: env['CTP_REDIS_URL'],
      checkout: checkoutOf(env),
    },
    (key) => CONFIG_VARIABLES[key],
    scopeProblems,
  );
}

/** Checkout from the environment: a URL without the application key is reported, not dropped. */
function checkoutOf(env: Record<string, string | undefined>): { applicationKey: string; url?: string } | undefined {
  const applicationKey = env['CTP_CHECKOUT_APPLICATION_KEY']?.trim() || undefined;
  const url = env['CTP_CHECKOUT_URL']?.trim() || undefined;
  if (applicationKey === undefined && url === undefined) return undefined;
  return { applicationKey: applicationKey ?? '', ...(url === undefined ? {} : { url }) };
}
