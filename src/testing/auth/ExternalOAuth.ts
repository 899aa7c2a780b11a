import { KNOWN_SCOPE_NAMES } from '../../scopes/knownScopes';
import type { TokenOwner } from './StrictAuth';

/** An RFC 7662 answer of the app's introspection endpoint, as commercetools reads it. */
export interface IntrospectionAnswer {
  active: boolean;
  /** Expiry, epoch seconds. */
  exp?: number;
  /** Space-separated: `name:{projectKey}` scopes, `customer_id:{id}`, optionally `external_user_id:{id}`. */
  scope?: string;
}

/**
 * The project's External OAuth setting as a fake takes it: `introspect` answers for a bearer token
 * the auth host did not issue, as the app's endpoint would (createIntrospectionHandler's `verify`
 * wrapped, or a fetch to the endpoint itself). A fake accepts such a token only through it.
 */
export interface FakeExternalOAuth {
  introspect(token: string): Promise<IntrospectionAnswer>;
}

/** The platform's wait for the introspection endpoint, latency included. */
export const INTROSPECTION_BUDGET_MS = 500;

/** The client id the fakes give an owner of an external token (no API client issued it). */
export const EXTERNAL_CLIENT_ID = 'external-oauth';

/**
 * Who an external bearer token belongs to, as commercetools decides it: the introspection must
 * answer within 500 ms, `active: true`, an `exp` (if any) still ahead on the fake's clock; the
 * scopes are the answer's known `name:{projectKey}[:storeKey]` entries (others are ignored, as the
 * platform ignores scopes it does not know), and `customer_id:{id}` binds it to that customer.
 * `undefined` when the token is refused (the fake answers 401); `'failed'` when the endpoint threw,
 * answered no object, or took too long (the platform's ExternalOAuthFailed).
 */
export async function externalOwner(
  external: FakeExternalOAuth,
  projectKey: string,
  token: string,
  now: number,
): Promise<TokenOwner | undefined | 'failed'> {
  let timer: NodeJS.Timeout | undefined;
  let answer: unknown;
  try {
    answer = await Promise.race([
      external.introspect(token),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('introspection too slow')), INTROSPECTION_BUDGET_MS);
        timer.unref?.();
      }),
    ]);
  } catch {
    return 'failed';
  } finally {
    clearTimeout(timer);
  }
  if (typeof answer !== 'object' || answer === null) return 'failed';
  const { active, exp, scope } = answer as Partial<IntrospectionAnswer>;
  if (active !== true) return undefined;
  if (exp !== undefined && (typeof exp !== 'number' || exp * 1000 <= now)) return undefined;
  const scopes: string[] = [];
  let customerId: string | undefined;
  for (const entry of typeof scope === 'string' ? scope.split(' ') : []) {
    const [name = '', value, store, ...rest] = entry.split(':');
    if (name === 'customer_id' && value !== undefined && value !== '') customerId = entry.slice(name.length + 1);
    else if (KNOWN_SCOPE_NAMES.has(name) && value === projectKey && rest.length === 0 && store !== '')
      scopes.push(entry);
  }
  return {
    kind: customerId === undefined ? 'client' : 'customer',
    clientId: EXTERNAL_CLIENT_ID,
    scopes,
    ...(customerId === undefined ? {} : { customerId }),
  };
}
