import { checkoutProblems } from './checkoutSettings';
import { CtpConfigError } from '../errors/CtpConfigError';
import { scopeSetProblems } from '../scopes/knownScopes';
import { closestName } from '../util/closestName';
import type { CtpConfig } from './CtpConfig';
import { CtpSecret } from './CtpSecret';

const PROJECT_KEY_CHARACTERS = /^[A-Za-z0-9_-]+$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
export const REDIS_URL = /^rediss?:\/\/[^\s]+$/;

/** Every setting of the config; a Record, so a setting added to the input type without a line here fails the type-check. */
export const CONFIG_KEYS: Readonly<Record<keyof CtpConfigInput, true>> = {
  projectKey: true,
  clientId: true,
  clientSecret: true,
  authUrl: true,
  apiUrl: true,
  integrationScopes: true,
  redisUrl: true,
  checkout: true,
};

/** A misspelt key would otherwise read as "missing" (or, for an optional one, be dropped silently). */
function unknownKeyProblems(input: object): string[] {
  const known = Object.keys(CONFIG_KEYS);
  return Object.keys(input)
    .filter((key) => !Object.hasOwn(CONFIG_KEYS, key))
    .map((key) => {
      const closest = closestName(key, known);
      return `createCtpConfig: unknown setting ${key}${closest ? ` (did you mean ${closest}?)` : ` (known: ${known.join(', ')})`}`;
    });
}

/** The project key's problem, or undefined; the key is echoed only when short enough to read. */
function projectKeyProblem(name: string, key: string): string | undefined {
  if (!key) return `${name} is missing`;
  if (key.length < 2) return `${name} "${key}" is too short: a project key has 2 to 256 characters`;
  if (key.length > 256) return `${name} is too long: a project key has 2 to 256 characters`;
  if (!PROJECT_KEY_CHARACTERS.test(key)) return `${name} "${key}" may hold only letters, digits, - and _`;
  return undefined;
}

/** Checks a URL option; plain http only on loopback (local tests and the embedded server). */
function urlProblem(name: string, value: string | undefined, host: 'auth' | 'api'): string | undefined {
  if (!value) return `${name} is missing (e.g. https://${host}.europe-west1.gcp.commercetools.com)`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not echoed: a malformed URL can still hold a password (https://user:pa ss@host).
    return `${name} is not a URL`;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    return `${name} must use https (plain http is allowed on localhost only)`;
  }
  // Said without echoing the URL: what sits there is a password.
  if (url.username || url.password)
    return `${name} must not contain credentials (user:password@); the API client's id and secret go in their own settings`;
  if (url.search || url.hash) return `${name} must not have a query or fragment`;
  return undefined;
}

/**
 * Validates config given in code and returns it frozen, with every problem reported in one
 * CtpConfigError. The secret is never echoed, only said to be missing.
 *
 * @example
 * const config = createCtpConfig({ projectKey, clientId, clientSecret, authUrl, apiUrl });
 */
export function createCtpConfig(input: {
  projectKey?: string | undefined;
  clientId?: string | undefined;
  /** A string, or the CtpSecret of an existing config (so `createCtpConfig({ ...config, apiUrl })` works). */
  clientSecret?: string | CtpSecret | undefined;
  authUrl?: string | undefined;
  apiUrl?: string | undefined;
  integrationScopes?: CtpConfig['integrationScopes'] | undefined;
  redisUrl?: string | undefined;
  /** commercetools Checkout: the application's key, and the session host when it is not the API region's. */
  checkout?: { applicationKey: string; url?: string } | undefined;
}): CtpConfig {
  return validateCtpConfig(input);
}

/**
 * createCtpConfig() for the library's own callers: `nameOf` names each setting as the caller's user
 * wrote it (loadCtpConfig: the environment variable), `earlierProblems` are what the caller already
 * found, reported together.
 */
export function validateCtpConfig(
  input: CtpConfigInput,
  nameOf: (key: keyof CtpConfigInput) => string = (key) => key,
  earlierProblems: readonly string[] = [],
): CtpConfig {
  if (typeof input !== 'object' || input === null) {
    throw new CtpConfigError([
      'createCtpConfig(input): input must be an object { projectKey, clientId, clientSecret, authUrl, apiUrl }',
    ]);
  }
  const problems: string[] = [...earlierProblems, ...unknownKeyProblems(input)];
  // Trimmed text of a setting ('' when absent); undefined when it is of another type, reported here
  // rather than as a crash in trim().
  const text = (key: keyof CtpConfigInput, value: unknown): string | undefined => {
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value.trim();
    problems.push(`${nameOf(key)} must be a string`);
    return undefined;
  };
  const report = (problem: string | undefined) => {
    if (problem !== undefined) problems.push(problem);
  };
  const projectKey = text('projectKey', input.projectKey);
  if (projectKey !== undefined) report(projectKeyProblem(nameOf('projectKey'), projectKey));
  const clientId = text('clientId', input.clientId);
  if (clientId === '') report(`${nameOf('clientId')} is missing`);
  const clientSecret = CtpSecret.isSecret(input.clientSecret)
    ? input.clientSecret.reveal().trim()
    : text('clientSecret', input.clientSecret);
  if (clientSecret === '') report(`${nameOf('clientSecret')} is missing`);
  const authUrl = text('authUrl', input.authUrl);
  if (authUrl !== undefined) report(urlProblem(nameOf('authUrl'), authUrl, 'auth'));
  const apiUrl = text('apiUrl', input.apiUrl);
  if (apiUrl !== undefined) report(urlProblem(nameOf('apiUrl'), apiUrl, 'api'));
  if (Array.isArray(input.integrationScopes) && input.integrationScopes.length === 0) {
    problems.push(`${nameOf('integrationScopes')} is empty: leave it out to use the default integration scopes`);
  } else if (input.integrationScopes !== undefined) {
    problems.push(...scopeSetProblems(nameOf('integrationScopes'), input.integrationScopes));
  }
  const redisUrl = text('redisUrl', input.redisUrl) || undefined;
  if (redisUrl !== undefined && !REDIS_URL.test(redisUrl))
    problems.push(`${nameOf('redisUrl')} must be a redis:// or rediss:// URL`);
  if (input.checkout !== undefined) {
    const fromEnv = nameOf('checkout') !== 'checkout';
    problems.push(
      ...checkoutProblems(input.checkout, {
        applicationKey: fromEnv ? 'CTP_CHECKOUT_APPLICATION_KEY' : 'checkout.applicationKey',
        url: fromEnv ? 'CTP_CHECKOUT_URL' : 'checkout.url',
      }),
    );
  }
  if (
    problems.length > 0 ||
    projectKey === undefined ||
    clientId === undefined ||
    clientSecret === undefined ||
    authUrl === undefined ||
    apiUrl === undefined
  ) {
    throw new CtpConfigError(problems);
  }

  const config = {
    projectKey,
    clientId,
    clientSecret: new CtpSecret(clientSecret),
    authUrl: authUrl.replace(/\/+$/, ''),
    apiUrl: apiUrl.replace(/\/+$/, ''),
    ...(input.integrationScopes ? { integrationScopes: Object.freeze([...input.integrationScopes]) } : {}),
    ...(input.checkout ? { checkout: Object.freeze({ ...input.checkout }) } : {}),
  };
  // The URL may carry a Redis password: kept out of enumeration (so a spread copy drops it; see CtpConfig.redisUrl).
  if (redisUrl !== undefined) Object.defineProperty(config, 'redisUrl', { value: redisUrl, enumerable: false });
  return Object.freeze(config);
}

/** What createCtpConfig() takes, for the library's own code. */
export type CtpConfigInput = Parameters<typeof createCtpConfig>[0];
