/** Kept equal to package.json's version by a unit test (the bundle does not read package.json). */
export const CTP_CLIENT_VERSION = '0.1.0';

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~/-]{1,128}$/;

/** `ctp-client/<version> node/<version>`, then the app's own name (e.g. `shop-bff/2.3.1`) when given. */
export function userAgent(appName?: string): string {
  const base = `ctp-client/${CTP_CLIENT_VERSION} node/${process.versions.node}`;
  return appName === undefined ? base : `${base} ${appName}`;
}

/** An app name fit for a User-Agent product token: no spaces, no control characters. */
export function isValidAppName(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}
