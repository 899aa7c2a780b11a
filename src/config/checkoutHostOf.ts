/** `api.{region}.commercetools.com` gives `session.{region}.commercetools.com`; any other host undefined. */
export function checkoutHostOf(apiUrl: string): string | undefined {
  if (!URL.canParse(apiUrl)) return undefined;
  const region = new URL(apiUrl).hostname.match(/^api\.([a-z0-9-]+(?:\.[a-z0-9-]+)?)\.commercetools\.com$/)?.[1];
  return region === undefined ? undefined : `https://session.${region}.commercetools.com`;
}
