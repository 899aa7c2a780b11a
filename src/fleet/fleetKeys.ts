import { createHash } from 'node:crypto';
import type { SharedTokenId } from '../tokens/TokenCoordinator';

/** The fleet's channel: each publication or lock release announces its name (`shared:…`, `refresh:…`) here. */
export function fleetChannel(keyPrefix: string): string {
  return `${keyPrefix}fleet:published`;
}

/**
 * `shared:<name>:{<hash>}` over everything that decides who the token is for, so services that differ
 * in any part never share a key; hashed so that no client id or scope list is readable in Redis.
 */
export function sharedTokenKey(id: SharedTokenId): string {
  return `shared:${id.name}:${slot(['ctp-shared-token/1', id.authUrl, id.projectKey, id.clientId, id.scope])}`;
}

/** `checkout:{<hash>}` over the session host, project and `applicationKey:cartId`: one Checkout session per cart and application. */
export function checkoutKey(url: string, projectKey: string, cartKey: string): string {
  return `checkout:${slot(['ctp-checkout-session/1', url, projectKey, cartKey])}`;
}

/** `refresh:{<hash of the refresh token>}`: the refresh token itself is never in a key. */
export function refreshKey(refreshToken: string): string {
  return `refresh:${slot(refreshToken)}`;
}

/**
 * The hash as a Redis Cluster hash tag, so the result, lock and fence keys of a name (`<name>`,
 * `lock:<name>`, `fence:<name>`) share the slot a script's keys must share on a cluster (base64url
 * has no braces). A tuple is hashed as JSON of an array: no two different tuples encode alike.
 */
function slot(value: string | string[]): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `{${createHash('sha256').update(text).digest('base64url')}}`;
}
