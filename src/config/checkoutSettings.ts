import { checkoutHostOf } from './checkoutHostOf';

/** The `checkout` option (or CTP_CHECKOUT_APPLICATION_KEY and CTP_CHECKOUT_URL). */
export interface CheckoutSettings {
  readonly applicationKey: string;
  readonly url?: string;
}

const KEY = /^[A-Za-z0-9_-]{2,256}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Each problem starts with the name the app wrote (`names`); the application key is never echoed. */
export function checkoutProblems(value: unknown, names: { applicationKey: string; url: string }): string[] {
  if (typeof value !== 'object' || value === null)
    return [
      `${names.applicationKey} must be set for Checkout (an object { applicationKey, url? } as the checkout option)`,
    ];
  const { applicationKey, url } = value as { applicationKey?: unknown; url?: unknown };
  const problems: string[] = [];
  if (typeof applicationKey !== 'string' || !KEY.test(applicationKey))
    problems.push(`${names.applicationKey} must be the Checkout application's key (2-256 letters, digits, - and _)`);
  if (url !== undefined && (typeof url !== 'string' || !isHostUrl(url)))
    problems.push(
      `${names.url} must be an https URL of the Checkout session host without credentials, query or path (plain http on localhost only), e.g. https://session.europe-west1.gcp.commercetools.com`,
    );
  return problems;
}

/** An undefined `url`: the API host is not a commercetools region's, so it must be given. */
export function resolveCheckout(settings: CheckoutSettings, apiUrl: string): { applicationKey: string; url?: string } {
  const url = settings.url?.replace(/\/+$/, '') ?? checkoutHostOf(apiUrl);
  return { applicationKey: settings.applicationKey, ...(url === undefined ? {} : { url }) };
}

/** Plain http only on loopback (local tests and the embedded server). */
export function isHttpsOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

function isHostUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (
    isHttpsOrLoopback(url) && !url.username && !url.password && !url.search && !url.hash && /^\/?$/.test(url.pathname)
  );
}
