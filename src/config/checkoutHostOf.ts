/**
 * The Checkout session host of a commercetools region, from the API host: `api.{region}.commercetools.com`
 * becomes `session.{region}.commercetools.com`. Undefined for any other host (a proxy, a local
 * commercetools): then `checkout.url` must name it.
 */
export function checkoutHostOf(apiUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    return undefined;
  }
  const region = url.hostname.match(/^api\.([a-z0-9-]+(?:\.[a-z0-9-]+)?)\.commercetools\.com$/)?.[1];
  return region === undefined ? undefined : `https://session.${region}.commercetools.com`;
}
