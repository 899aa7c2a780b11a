import { describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { createCtpServices } from '../../../src/module/createCtpServices';
import {
  createMockCommercetools,
  type MockCommercetoolsOptions,
} from '../../../src/testing/mock/createMockCommercetools';

const SEED: MockCommercetoolsOptions = {
  categories: [
    { id: 'cat-shoes', key: 'shoes', name: 'Shoes' },
    { id: 'cat-boots', key: 'boots', name: { en: 'Boots', de: 'Stiefel' }, parent: 'shoes' },
    { key: 'hats', name: 'Hats' },
  ],
  products: [
    {
      id: 'prod-boot',
      key: 'boot',
      name: 'Winter Boot',
      categories: ['boots'],
      masterVariant: { sku: 'BOOT-42', prices: [{ currencyCode: 'EUR', centAmount: 12_900 }] },
      variants: [{ sku: 'BOOT-43', prices: [{ currencyCode: 'EUR', centAmount: 13_900 }] }],
    },
    { id: 'prod-draft', key: 'draft', name: 'Draft Hat', categories: ['hats'], published: false },
  ],
};

/** An integration client over the mock (the client holds `clientScopes`, every scope by default). */
async function integration(options: MockCommercetoolsOptions = {}) {
  const mock = createMockCommercetools({ ...SEED, ...options });
  const { client } = createCtpServices(loadCtpConfig(mock.env), { fetch: mock.fetch, retry: { maxRetries: 0 } });
  return { mock, api: await client.integrationApiRoot() };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('createMockCommercetools: the built-in catalogue', () => {
  describe('categories', () => {
    it('should answer a seeded category by id and by key, with its ancestors as the platform lists them', async () => {
      const { api } = await integration();
      const { body: byId } = await api.categories().withId({ ID: 'cat-boots' }).get().execute();
      expect(byId).toMatchObject({
        id: 'cat-boots',
        version: 1,
        key: 'boots',
        name: { en: 'Boots', de: 'Stiefel' },
        slug: { en: 'boots', de: 'stiefel' },
        parent: { typeId: 'category', id: 'cat-shoes' },
        ancestors: [{ typeId: 'category', id: 'cat-shoes' }],
      });
      expect(Date.parse(byId.createdAt)).not.toBeNaN();
      const { body: byKey } = await api.categories().withKey({ key: 'shoes' }).get().execute();
      expect(byKey).toMatchObject({ id: 'cat-shoes', ancestors: [] });
    });

    it('should page a query with limit and offset and count the total', async () => {
      const { api, mock } = await integration();
      const { body } = await api
        .categories()
        .get({ queryArgs: { limit: 1, offset: 1 } })
        .execute();
      expect(body).toMatchObject({ limit: 1, offset: 1, count: 1, total: 3 });
      expect(body.results.map((c) => c.key)).toEqual(['boots']);
      expect(mock.requests.at(-1)!.url).toBe('https://api.mock.test/test-project/categories?limit=1&offset=1');
    });

    it('should filter by a where predicate, nested ones included', async () => {
      const { api } = await integration();
      const { body: byKey } = await api
        .categories()
        .get({ queryArgs: { where: 'key in ("hats", "boots")' } })
        .execute();
      expect(byKey.results.map((c) => c.key)).toEqual(['boots', 'hats']);
      const { body: children } = await api
        .categories()
        .get({ queryArgs: { where: 'parent(id = "cat-shoes")' } })
        .execute();
      expect(children.results.map((c) => c.id)).toEqual(['cat-boots']);
    });

    it('should refuse a predicate it cannot evaluate with 400 InvalidInput rather than ignore it', async () => {
      const { api } = await integration();
      const error = await failure(
        api
          .categories()
          .get({ queryArgs: { where: 'name(en is defined)' } })
          .execute(),
      );
      expect(error).toMatchObject({ status: 400, apiCode: 'InvalidInput' });
    });

    it('should answer 404 ResourceNotFound for an id it does not hold', async () => {
      const { api } = await integration();
      const error = await failure(api.categories().withId({ ID: 'nope' }).get().execute());
      expect(error).toMatchObject({ status: 404, apiCode: 'ResourceNotFound' });
    });

    it('should still refuse a token without a catalogue scope before answering (403 insufficient_scope)', async () => {
      const mock = createMockCommercetools({ ...SEED, clientScopes: ['view_orders'] });
      const { client } = createCtpServices(loadCtpConfig({ ...mock.env, CTP_SCOPES: 'view_orders:test-project' }), {
        fetch: mock.fetch,
      });
      const error = await failure(
        (await client.integrationApiRoot()).categories().withId({ ID: 'cat-shoes' }).get().execute(),
      );
      expect(error).toMatchObject({ status: 403, apiCode: 'insufficient_scope' });
    });

    it('should let a script win over the built-in answer', async () => {
      const { api, mock } = await integration();
      mock.on('GET', '/categories/cat-shoes', { id: 'cat-shoes', version: 7, name: { en: 'Scripted' } });
      const { body } = await api.categories().withId({ ID: 'cat-shoes' }).get().execute();
      expect(body).toMatchObject({ version: 7, name: { en: 'Scripted' } });
    });
  });

  describe('products', () => {
    it('should answer a product with its current and staged data, its variants and their prices', async () => {
      const { api } = await integration();
      const { body } = await api.products().withKey({ key: 'boot' }).get().execute();
      expect(body.id).toBe('prod-boot');
      expect(body.masterData.published).toBe(true);
      expect(body.masterData.current).toMatchObject({
        name: { en: 'Winter Boot' },
        slug: { en: 'winter-boot' },
        categories: [{ typeId: 'category', id: 'cat-boots' }],
        masterVariant: {
          id: 1,
          sku: 'BOOT-42',
          prices: [{ value: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 12_900, fractionDigits: 2 } }],
        },
        variants: [{ id: 2, sku: 'BOOT-43' }],
      });
      expect(body.masterData.staged).toEqual(body.masterData.current);
    });

    it('should project published products only, unless staged projections are asked for', async () => {
      const { api } = await integration();
      const { body: published } = await api.productProjections().get().execute();
      expect(published.results.map((p) => p.key)).toEqual(['boot']);
      expect(published.results[0]).toMatchObject({ name: { en: 'Winter Boot' }, published: true });
      const error = await failure(api.productProjections().withKey({ key: 'draft' }).get().execute());
      expect(error).toMatchObject({ status: 404 });
      const { body: staged } = await api
        .productProjections()
        .get({ queryArgs: { staged: true } })
        .execute();
      expect(staged.results.map((p) => p.key)).toEqual(['boot', 'draft']);
    });

    it('should refuse staged projections to a token holding only view_published_products, as the platform does', async () => {
      const mock = createMockCommercetools({ ...SEED, clientScopes: ['view_published_products'] });
      const { client } = createCtpServices(
        loadCtpConfig({ ...mock.env, CTP_SCOPES: 'view_published_products:test-project' }),
        { fetch: mock.fetch },
      );
      const api = await client.integrationApiRoot();
      const { body } = await api.productProjections().withId({ ID: 'prod-boot' }).get().execute();
      expect(body.masterVariant.sku).toBe('BOOT-42');
      const error = await failure(
        api
          .productProjections()
          .get({ queryArgs: { staged: true } })
          .execute(),
      );
      expect(error).toMatchObject({ status: 403, apiCode: 'insufficient_scope' });
    });

    it('should refuse a seed naming a category it does not hold, so a typo does not pass silently', () => {
      expect(() => createMockCommercetools({ products: [{ name: 'Lost', categories: ['nowhere'] }] })).toThrow(
        /unknown category 'nowhere'/,
      );
    });
  });
});
