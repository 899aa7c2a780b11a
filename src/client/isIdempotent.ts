/** POSTs that only read: searches. (GraphQL is decided by its body.) */
const READ_ONLY_POST = /\/(product-projections|products)\/search$/;

/**
 * Whether sending the request twice has the effect of sending it once. Conservative: a GraphQL body that
 * mentions `mutation` or `subscription` anywhere, or that cannot be read, counts as a write.
 */
export function isIdempotent(method: string, uriTemplate: string, body: unknown): boolean {
  if (method === 'GET' || method === 'HEAD') return true;
  if (method !== 'POST') return false;
  if (READ_ONLY_POST.test(uriTemplate)) return true;
  if (!uriTemplate.endsWith('/graphql')) return false;
  let parsed = body;
  try {
    if (typeof body === 'string') parsed = JSON.parse(body);
  } catch {
    return false;
  }
  const query = typeof parsed === 'object' && parsed !== null ? (parsed as { query?: unknown }).query : undefined;
  return typeof query === 'string' && !/\b(mutation|subscription)\b/i.test(query);
}
