import { createHash } from 'node:crypto';
import type { SharedTokenId } from '../tokens/TokenCoordinator';

/**
 * The fleet's pub/sub channel: every publication or lock release of a shared token or a refresh is
 * announced here, its message the name (`shared:…`, `refresh:…`) the waiters wait for.
 */
export function fleetChannel(keyPrefix: string): string {
  return `${keyPrefix}fleet:published`;
}

/**
 * `shared:<name>:{<hash>}`, the hash over everything that decides who the token is for (auth URL,
 * project, client id, exact scope parameter). Hashed so that no client id or scope list is readable
 * in Redis; it holds no secret either way. Services that differ in any part never share a key.
 */
export function sharedTokenKey(id: SharedTokenId): string {
  // JSON of an array: no two different tuples encode to the same string.
  return `shared:${id.name}:${tagged(hash(JSON.stringify(['ctp-shared-token/1', id.authUrl, id.projectKey, id.clientId, id.scope])))}`;
}

/** `checkout:{<hash>}` over the session host, project and `applicationKey:cartId`: one Checkout session per cart and application. */
export function checkoutKey(url: string, projectKey: string, cartKey: string): string {
  return `checkout:${tagged(hash(JSON.stringify(['ctp-checkout-session/1', url, projectKey, cartKey])))}`;
}

/** `refresh:{<hash of the refresh token>}`: the refresh token itself is never in a key. */
export function refreshKey(refreshToken: string): string {
  return `refresh:${tagged(hash(refreshToken))}`;
}

/**
 * A Redis Cluster hash tag: the result, lock and fence keys of one token (`<name>`, `lock:<name>`,
 * `fence:<name>`) hash to one slot, so ACQUIRE, which takes the lock and the fence together, runs on
 * a cluster (a script's keys must share a slot). base64url has no braces, so the tag is the hash.
 */
function tagged(hashed: string): string {
  return `{${hashed}}`;
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
