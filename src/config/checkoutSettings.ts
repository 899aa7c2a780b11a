import { checkoutHostOf } from './checkoutHostOf';

/** The `checkout` option (or CTP_CHECKOUT_APPLICATION_KEY and CTP_CHECKOUT_URL). */
export interface CheckoutSettings {
  /** The key of the Checkout application in the Merchant Center. */
  readonly applicationKey: string;
  /** The Checkout session host; by default `session.{region}` of the API host's region. */
  readonly url?: string;
}

const KEY = /^[A-Za-z0-9_-]{2,256}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The problems of a `checkout` setting, each starting with how the app wrote it (`label` for the
 * option, `names` for environment variables). The application key is echoed only if well-formed.
 */
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

/** The settings with `url` resolved; undefined url: the API host is not a commercetools region's, so it must be given. */
export function resolveCheckout(settings: CheckoutSettings, apiUrl: string): { applicationKey: string; url?: string } {
  const url = settings.url?.replace(/\/+$/, '') ?? checkoutHostOf(apiUrl);
  return { applicationKey: settings.applicationKey, ...(url === undefined ? {} : { url }) };
}

function isHostUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const scheme = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  return scheme && !url.username && !url.password && !url.search && !url.hash && /^\/?$/.test(url.pathname);
}
