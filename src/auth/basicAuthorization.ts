/**
 * HTTP Basic for an OAuth client: id and secret are form-encoded before base64 (RFC 6749 2.3.1),
 * so a secret with ':' or '%' still authenticates.
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}
