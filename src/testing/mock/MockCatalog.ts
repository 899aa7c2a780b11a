import { randomUUID } from 'node:crypto';
import { holdsScope, mockError, money, type MockApiCall, type MockApiContext } from './mockApi';
import { queryPage } from './mockQuery';

/** A localized string (`{ en: 'Shoes' }`); a plain string stands for its `en` value. */
export type MockLocalized = string | Readonly<Record<string, string>>;

export interface MockPrice {
  currencyCode: string;
  centAmount: number;
  /** A price for one country only (ISO 3166-1 alpha-2). */
  country?: string;
}

export interface MockVariant {
  sku?: string;
  key?: string;
  prices?: readonly MockPrice[];
  attributes?: readonly { name: string; value: unknown }[];
}

/** A product to seed the mock with (`createMockCommercetools({ products })`). */
export interface MockProduct {
  /** Default: a UUID, as the platform's. */
  id?: string;
  key?: string;
  name: MockLocalized;
  /** Default: the name, lower-cased with dashes. */
  slug?: MockLocalized;
  description?: MockLocalized;
  /** The categories, by id or key. */
  categories?: readonly string[];
  /** Variant 1; default: no SKU, no prices. */
  masterVariant?: MockVariant;
  /** Variants 2, 3, ... */
  variants?: readonly MockVariant[];
  /** Default true; an unpublished product has no current projection (404 on `/product-projections`). */
  published?: boolean;
}

/** A category to seed the mock with (`createMockCommercetools({ categories })`). */
export interface MockCategory {
  id?: string;
  key?: string;
  name: MockLocalized;
  slug?: MockLocalized;
  /** The parent category, by id or key (seed parents first). */
  parent?: string;
  orderHint?: string;
}

type Json = Record<string, unknown>;

const localized = (value: MockLocalized): Json => (typeof value === 'string' ? { en: value } : { ...value });
const slugOf = (name: MockLocalized): Json =>
  Object.fromEntries(
    Object.entries(localized(name)).map(([locale, text]) => [
      locale,
      String(text)
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, ''),
    ]),
  );

/**
 * The catalogue of the mocked commercetools: seeded products and categories, read as the platform
 * answers them (Product with `masterData.current/staged`, ProductProjection, Category with
 * ancestors), by id, by `key=`, and as paged queries (limit, offset, simple where predicates).
 * Published projections only, unless `staged=true` (which needs `view_products`, as on the platform).
 */
export class MockCatalog {
  readonly #c: MockApiContext;
  readonly #categories: Json[] = [];
  readonly #products: Json[] = [];

  constructor(
    context: MockApiContext,
    categories: readonly MockCategory[] = [],
    products: readonly MockProduct[] = [],
  ) {
    this.#c = context;
    for (const category of categories) this.#categories.push(this.#category(category));
    for (const product of products) this.#products.push(this.#product(product));
  }

  /** A product (Product shape) by id, for carts' line items. */
  product(id: unknown): Json | undefined {
    return this.#products.find((p) => p['id'] === id);
  }

  /** The product and variant holding a SKU. */
  bySku(sku: unknown): { product: Json; variantId: number } | undefined {
    for (const product of this.#products) {
      const variant = variantsOf(product).find((v) => v['sku'] === sku);
      if (variant) return { product, variantId: variant['id'] as number };
    }
    return undefined;
  }

  /** The built-in answer of a catalogue read, or undefined when the path is none of them. */
  answer(call: MockApiCall): Response | undefined {
    const m = call.path.match(/^\/(categories|products|product-projections)(?:\/(key=)?([^/]+))?$/);
    if (!m || call.method !== 'GET' || call.storeKey !== undefined) return undefined;
    const [, resource, byKey, idOrKey] = m;
    const staged = call.query.get('staged') === 'true';
    if (
      resource === 'product-projections' &&
      staged &&
      !holdsScope(this.#c, call.identity, undefined, ['view_products', 'manage_products'])
    )
      return mockError(
        this.#c,
        403,
        'insufficient_scope',
        'Insufficient scope: staged projections need view_products.',
      );
    const all =
      resource === 'categories'
        ? this.#categories
        : resource === 'products'
          ? this.#products
          : this.#products.flatMap((p) => this.#projection(p, staged));
    if (idOrKey === undefined) return queryPage(this.#c, all, call.query);
    const wanted = decodeURIComponent(idOrKey);
    const found = all.find((r) => (byKey ? r['key'] === wanted : r['id'] === wanted));
    const type = resource === 'categories' ? 'Category' : resource === 'products' ? 'Product' : 'ProductProjection';
    return found
      ? this.#c.json(found)
      : mockError(
          this.#c,
          404,
          'ResourceNotFound',
          `The ${type} with ${byKey ? 'key' : 'ID'} '${wanted}' was not found.`,
        );
  }

  #category(seed: MockCategory): Json {
    const parent =
      seed.parent === undefined
        ? undefined
        : this.#categories.find((c) => c['id'] === seed.parent || c['key'] === seed.parent);
    if (seed.parent !== undefined && !parent)
      throw new TypeError(
        `createMockCommercetools: the parent '${seed.parent}' of a category is not seeded before it.`,
      );
    const at = new Date(this.#c.now()).toISOString();
    const ref = (c: Json) => ({ typeId: 'category', id: c['id'] });
    return {
      id: seed.id ?? randomUUID(),
      version: 1,
      ...(seed.key === undefined ? {} : { key: seed.key }),
      name: localized(seed.name),
      slug: seed.slug === undefined ? slugOf(seed.name) : localized(seed.slug),
      ancestors: parent ? [...(parent['ancestors'] as Json[]), ref(parent)] : [],
      ...(parent ? { parent: ref(parent) } : {}),
      orderHint: seed.orderHint ?? `0.${this.#categories.length + 1}`,
      assets: [],
      createdAt: at,
      lastModifiedAt: at,
    };
  }

  #product(seed: MockProduct): Json {
    const id = seed.id ?? randomUUID();
    const categories = (seed.categories ?? []).map((idOrKey) => {
      const category = this.#categories.find((c) => c['id'] === idOrKey || c['key'] === idOrKey);
      if (!category)
        throw new TypeError(
          `createMockCommercetools: product ${seed.key ?? id} names the unknown category '${idOrKey}'.`,
        );
      return { typeId: 'category', id: category['id'] };
    });
    const variant = (v: MockVariant | undefined, n: number): Json => ({
      id: n,
      ...(v?.sku === undefined ? {} : { sku: v.sku }),
      ...(v?.key === undefined ? {} : { key: v.key }),
      prices: (v?.prices ?? []).map((p, i) => ({
        id: `${id}-price-${n}-${i + 1}`,
        value: money(p.currencyCode, p.centAmount),
        ...(p.country === undefined ? {} : { country: p.country }),
      })),
      images: [],
      attributes: (v?.attributes ?? []).map((a) => ({ ...a })),
      assets: [],
    });
    const data = {
      name: localized(seed.name),
      ...(seed.description === undefined ? {} : { description: localized(seed.description) }),
      slug: seed.slug === undefined ? slugOf(seed.name) : localized(seed.slug),
      categories,
      categoryOrderHints: {},
      masterVariant: variant(seed.masterVariant, 1),
      variants: (seed.variants ?? []).map((v, i) => variant(v, i + 2)),
      searchKeywords: {},
      attributes: [],
    };
    const at = new Date(this.#c.now()).toISOString();
    return {
      id,
      version: 1,
      ...(seed.key === undefined ? {} : { key: seed.key }),
      productType: { typeId: 'product-type', id: 'mock-product-type' },
      masterData: { published: seed.published ?? true, hasStagedChanges: false, current: data, staged: data },
      createdAt: at,
      lastModifiedAt: at,
    };
  }

  /** The product's projection: the current data when published, the staged one when asked; none for an unpublished current. */
  #projection(product: Json, staged: boolean): Json[] {
    const master = product['masterData'] as Json;
    if (!staged && master['published'] !== true) return [];
    const { masterData: _, ...rest } = product;
    return [
      {
        ...rest,
        ...(master[staged ? 'staged' : 'current'] as Json),
        published: master['published'],
        hasStagedChanges: master['hasStagedChanges'],
      },
    ];
  }
}

/** A product's variants of its current data, master first. */
export function variantsOf(product: Json): Json[] {
  const current = (product['masterData'] as Json)['current'] as Json;
  return [current['masterVariant'] as Json, ...(current['variants'] as Json[])];
}
