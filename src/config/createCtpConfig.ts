import { checkoutProblems, isHttpsOrLoopback } from './checkoutSettings';
import { CtpConfigError } from '../errors/CtpConfigError';
import { scopeSetProblems } from '../scopes/knownScopes';
import { closestName } from '../util/closestName';
import type { CtpConfig } from './CtpConfig';
import { CtpSecret } from './CtpSecret';

const PROJECT_KEY_CHARACTERS = /^[A-Za-z0-9_-]+$/;
export const REDIS_URL = /^rediss?:\/\/[^\s]+$/;

/** Every setting and the variable loadCtpConfig reads it from; a Record, so a setting added to the input type fails here. */
export const CONFIG_VARIABLES: Readonly<Record<keyof CtpConfigInput, string>> = {
  projectKey: 'CTP_PROJECT_KEY',
  clientId: 'CTP_CLIENT_ID',
  clientSecret: 'CTP_CLIENT_SECRET',
  authUrl: 'CTP_AUTH_URL',
  apiUrl: 'CTP_API_URL',
  integrationScopes: 'CTP_SCOPES',
  redisUrl: 'CTP_REDIS_URL',
  checkout: 'CTP_CHECKOUT_APPLICATION_KEY',
};

/** A misspelt key would otherwise read as "missing" (or, for an optional one, be dropped silently). */
function unknownKeyProblems(input: object): string[] {
  const known = Object.keys(CONFIG_VARIABLES);
  return Object.keys(input)
    .filter((key) => !Object.hasOwn(CONFIG_VARIABLES, key))
    .map((key) => {
      const closest = closestName(key, known);
      return `createCtpConfig: unknown setting ${key}${closest ? ` (did you mean ${closest}?)` : ` (known: ${known.join(', ')})`}`;
    });
}

function missing(name: string, value: string): string | undefined {
  return value === '' ? `${name} is missing` : undefined;
}

/** The key is echoed only when short enough to read. */
function projectKeyProblem(name: string, key: string): string | undefined {
  if (!key) return `${name} is missing`;
  if (key.length < 2) return `${name} "${key}" is too short: a project key has 2 to 256 characters`;
  if (key.length > 256) return `${name} is too long: a project key has 2 to 256 characters`;
  if (!PROJECT_KEY_CHARACTERS.test(key)) return `${name} "${key}" may hold only letters, digits, - and _`;
  return undefined;
}

function urlProblem(name: string, value: string, host: 'auth' | 'api'): string | undefined {
  if (!value) return `${name} is missing (e.g. https://${host}.europe-west1.gcp.commercetools.com)`;
  // Not echoed: a malformed URL can still hold a password (https://user:pa ss@host).
  if (!URL.canParse(value)) return `${name} is not a URL`;
  const url = new URL(value);
  if (!isHttpsOrLoopback(url)) return `${name} must use https (plain http is allowed on localhost only)`;
  // Said without echoing the URL: what sits there is a password.
  if (url.username || url.password)
    return `${name} must not contain credentials (user:password@); the API client's id and secret go in their own settings`;
  if (url.search || url.hash) return `${name} must not have a query or fragment`;
  return undefined;
}

/**
 * Validates config given in code and returns it frozen; every problem in one CtpConfigError, the secret never echoed.
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

/** createCtpConfig() naming each setting as the caller's user wrote it, with the problems the caller found. */
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
  // The trimmed text of a setting ('' when absent) after its check; another type is reported, not a crash in trim().
  const setting = (key: TextKey, problemOf: (name: string, value: string) => string | undefined = missing) => {
    const raw: unknown =
      key === 'clientSecret' && CtpSecret.isSecret(input.clientSecret) ? input.clientSecret.reveal() : input[key];
    if (raw !== undefined && raw !== null && typeof raw !== 'string') {
      problems.push(`${nameOf(key)} must be a string`);
      return '';
    }
    const value = (raw ?? '').trim();
    const problem = problemOf(nameOf(key), value);
    if (problem !== undefined) problems.push(problem);
    return value;
  };
  const projectKey = setting('projectKey', projectKeyProblem);
  const clientId = setting('clientId');
  const clientSecret = setting('clientSecret');
  const authUrl = setting('authUrl', (name, value) => urlProblem(name, value, 'auth'));
  const apiUrl = setting('apiUrl', (name, value) => urlProblem(name, value, 'api'));
  if (Array.isArray(input.integrationScopes) && input.integrationScopes.length === 0) {
    problems.push(`${nameOf('integrationScopes')} is empty: leave it out to use the default integration scopes`);
  } else if (input.integrationScopes !== undefined) {
    problems.push(...scopeSetProblems(nameOf('integrationScopes'), input.integrationScopes));
  }
  const redisUrl = setting('redisUrl', (name, value) =>
    value === '' || REDIS_URL.test(value) ? undefined : `${name} must be a redis:// or rediss:// URL`,
  );
  if (input.checkout !== undefined) {
    const fromEnv = nameOf('checkout') !== 'checkout';
    problems.push(
      ...checkoutProblems(input.checkout, {
        applicationKey: fromEnv ? 'CTP_CHECKOUT_APPLICATION_KEY' : 'checkout.applicationKey',
        url: fromEnv ? 'CTP_CHECKOUT_URL' : 'checkout.url',
      }),
    );
  }
  if (problems.length > 0) throw new CtpConfigError(problems);
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
  if (redisUrl !== '') Object.defineProperty(config, 'redisUrl', { value: redisUrl, enumerable: false });
  return Object.freeze(config);
}

/** What createCtpConfig() takes, for the library's own code. */
export type CtpConfigInput = Parameters<typeof createCtpConfig>[0];
type TextKey = 'projectKey' | 'clientId' | 'clientSecret' | 'authUrl' | 'apiUrl' | 'redisUrl';
