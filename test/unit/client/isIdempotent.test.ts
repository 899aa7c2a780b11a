import { describe, expect, it } from 'vitest';
import { isIdempotent } from '../../../src/client/isIdempotent';

const GRAPHQL = '/{projectKey}/graphql';

describe(isIdempotent, () => {
  it.each([
    ['GET', '/{projectKey}/carts/{ID}', undefined, true],
    ['HEAD', '/{projectKey}/carts/{ID}', undefined, true],
    ['POST', '/{projectKey}/product-projections/search', {}, true],
    ['POST', '/{projectKey}/products/search', {}, true],
    ['POST', '/{projectKey}/carts/{ID}', { version: 1, actions: [] }, false],
    ['DELETE', '/{projectKey}/carts/{ID}', undefined, false],
    ['PUT', GRAPHQL, { query: '{ categories { total } }' }, false],
  ])('should answer %s %s as %s', (method, uriTemplate, body, expected) => {
    expect(isIdempotent(method, uriTemplate, body)).toBe(expected);
  });

  it.each([
    [{ query: '{ categories { total } }' }, true],
    ['{"query":"{ categories { total } }"}', true],
    [{ query: 'mutation { createCart(draft: {currency: "EUR"}) { id } }' }, false],
    ['{"query":"Subscription { x }"}', false],
    ['{"query": not json', false],
    ['null', false],
    [null, false],
    [undefined, false],
    [{ query: 42 }, false],
  ])('should take the GraphQL body %j as a read only when it is a query without a mutation: %s', (body, expected) => {
    expect(isIdempotent('POST', GRAPHQL, body)).toBe(expected);
  });
});
