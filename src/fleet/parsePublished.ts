import { isCtpAuthToken, type CtpAuthToken, type SharedToken } from '../auth/CtpAuthToken';

/** A shared token as another instance published it; anything else reads as none. */
export function parseShared(value: string): SharedToken | undefined {
  try {
    const v = JSON.parse(value) as SharedToken;
    return typeof v.accessToken === 'string' &&
      typeof v.expiresAt === 'number' &&
      typeof v.issuedAt === 'number' &&
      Array.isArray(v.scopes)
      ? v
      : undefined;
  } catch {
    return undefined;
  }
}

/** A refreshed token (of a shopper's lineage) as another instance published it; anything else reads as none. */
export function parseRefreshed(value: string): CtpAuthToken | undefined {
  try {
    const v = JSON.parse(value) as unknown;
    return isCtpAuthToken(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
