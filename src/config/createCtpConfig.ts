import { CtpConfigError } from '../errors/CtpConfigError';
import type { ScopeSpec } from '../scopes/ScopeSetName';
import type { CtpConfig } from './CtpConfig';
import { CtpSecret } from './CtpSecret';

const PROJECT_KEY = /^[A-Za-z0-9_-]{2,256}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface CtpConfigInput {
  projectKey?: string | undefined;
  clientId?: string | undefined;
  /** A string, or the CtpSecret of an existing config (so `createCtpConfig({ ...config, apiUrl })` works). */
  clientSecret?: string | CtpSecret | undefined;
  authUrl?: string | undefined;
  apiUrl?: string | undefined;
  integrationScopes?: readonly ScopeSpec[] | undefined;
  redisUrl?: string | undefined;
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
  if (url.username || url.password) return `${name} must not contain credentials (user:password@); the API client's id and secret go in their own settings`;
  if (url.search || url.hash) return `${name} must not have a query or fragment`;
  return undefined;
}

/**
 * Validates config given in code (`earlierProblems`: what the caller already found, reported together) and returns it frozen, with every problem reported in one
 * CtpConfigError. The secret is never echoed, only said to be missing.
 */
export function createCtpConfig(input: CtpConfigInput, names: Record<keyof CtpConfigInput, string> = {
  projectKey: 'projectKey',
  clientId: 'clientId',
  clientSecret: 'clientSecret',
  authUrl: 'authUrl',
  apiUrl: 'apiUrl',
  integrationScopes: 'integrationScopes',
  redisUrl: 'redisUrl',
}, earlierProblems: readonly string[] = []): CtpConfig {
  const problems: string[] = [...earlierProblems];
  const projectKey = input.projectKey?.trim() ?? '';
  if (!projectKey) problems.push(`${names.projectKey} is missing`);
  else if (!PROJECT_KEY.test(projectKey)) problems.push(`${names.projectKey} "${projectKey}" may hold only letters, digits, - and _`);
  const clientId = input.clientId?.trim() ?? '';
  if (!clientId) problems.push(`${names.clientId} is missing`);
  const clientSecret = (CtpSecret.isSecret(input.clientSecret) ? input.clientSecret.reveal() : input.clientSecret)?.trim() ?? '';
  if (!clientSecret) problems.push(`${names.clientSecret} is missing`);
  const authProblem = urlProblem(names.authUrl, input.authUrl?.trim(), 'auth');
  if (authProblem) problems.push(authProblem);
  const apiProblem = urlProblem(names.apiUrl, input.apiUrl?.trim(), 'api');
  if (apiProblem) problems.push(apiProblem);
  if (input.integrationScopes !== undefined && input.integrationScopes.length === 0) {
    problems.push(`${names.integrationScopes} is empty: leave it out to use the default integration scopes`);
  }
  const redisUrl = input.redisUrl?.trim() || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) problems.push(`${names.redisUrl} must be a redis:// or rediss:// URL`);
  if (problems.length > 0) throw new CtpConfigError(problems);

  const config = {
    projectKey,
    clientId,
    clientSecret: new CtpSecret(clientSecret),
    authUrl: (input.authUrl ?? '').trim().replace(/\/+$/, ''),
    apiUrl: (input.apiUrl ?? '').trim().replace(/\/+$/, ''),
    ...(input.integrationScopes ? { integrationScopes: Object.freeze([...input.integrationScopes]) } : {}),
  };
  // The URL may carry a Redis password: kept out of enumeration (so a spread copy drops it; see CtpConfig.redisUrl).
  if (redisUrl !== undefined) Object.defineProperty(config, 'redisUrl', { value: redisUrl, enumerable: false });
  return Object.freeze(config) as CtpConfig;
}
