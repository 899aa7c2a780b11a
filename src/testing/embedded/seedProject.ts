import type { CommercetoolsMock } from '@labdigital/commercetools-mock';
import { CtpTestingError } from '../CtpTestingError';

export interface SeedCustomer {
  email: string;
  password: string;
  firstName?: string;
  lastName?: string;
  /** Makes the customer a customer of this Store (created when missing), for in-store sign-in. */
  storeKey?: string;
}

/** A business unit with its associates (by the email of a seeded customer) and their permissions. */
export interface SeedBusinessUnit {
  key: string;
  /** Default: the key. */
  name?: string;
  associates: readonly { email: string; permissions: readonly string[] }[];
}

export interface SeededProject {
  categoryIds: string[];
  skus: string[];
  /** The first customer. */
  customer: { email: string; password: string; id: string };
  customers: { email: string; password: string; id: string }[];
}

const DEFAULT_CUSTOMERS: readonly SeedCustomer[] = [
  { email: 'alice@example.com', password: 'demo-Passw0rd!', firstName: 'Alice', lastName: 'Example' },
];

/** Seeds through the mock's own HTTP API, with drafts as a real project would take them. */
export async function seedProject(
  mock: CommercetoolsMock,
  projectKey: string,
  seedCustomers: readonly SeedCustomer[] = DEFAULT_CUSTOMERS,
  businessUnits: readonly SeedBusinessUnit[] = [],
  storeKeys: readonly string[] = [],
): Promise<SeededProject> {
  const token = mock.authStore().getClientToken('embedded-seed', '', `manage_project:${projectKey}`).access_token;
  const post = async (path: string, payload: unknown) => {
    const response = await mock.app.inject({
      method: 'POST',
      url: `/${projectKey}/${path}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    if (response.statusCode >= 300)
      throw new CtpTestingError(`seeding ${path} failed: ${response.statusCode} ${response.body}`);
    return response.json<{ id: string; customer?: { id: string } }>();
  };

  const categories = await Promise.all(
    ['Shoes', 'Shirts'].map((name) =>
      post('categories', { key: name.toLowerCase(), name: { en: name }, slug: { en: name.toLowerCase() } }),
    ),
  );
  const productType = await post('product-types', { key: 'basic', name: 'Basic', description: 'Basic product' });
  const products = [
    { sku: 'SNEAKER-42', name: 'Running sneaker', cents: 8900, category: categories[0]! },
    { sku: 'SHIRT-M', name: 'Linen shirt', cents: 4900, category: categories[1]! },
    { sku: 'SOCKS-3', name: 'Socks, three pairs', cents: 1200, category: categories[0]! },
  ];
  for (const p of products) {
    await post('products', {
      key: p.sku.toLowerCase(),
      productType: { typeId: 'product-type', id: productType.id },
      name: { en: p.name },
      slug: { en: p.sku.toLowerCase() },
      categories: [{ typeId: 'category', id: p.category.id }],
      masterVariant: { sku: p.sku, prices: [{ value: { currencyCode: 'EUR', centAmount: p.cents } }] },
      publish: true,
    });
  }
  const customers: SeededProject['customers'] = [];
  const stores = new Set<string>();
  for (const key of storeKeys) {
    await post('stores', { key, name: { en: key } });
    stores.add(key);
  }
  for (const c of seedCustomers) {
    const { storeKey, ...draft } = c;
    if (storeKey !== undefined && !stores.has(storeKey)) {
      await post('stores', { key: storeKey, name: { en: storeKey } });
      stores.add(storeKey);
    }
    const created = await post(
      'customers',
      storeKey === undefined ? draft : { ...draft, stores: [{ typeId: 'store', key: storeKey }] },
    );
    customers.push({ email: c.email, password: c.password, id: created.customer!.id });
  }
  if (customers.length === 0)
    throw new CtpTestingError('startEmbeddedCommercetools: customers must list at least one customer');
  // Each associate gets a role of their own holding exactly their permissions.
  let roles = 0;
  for (const unit of businessUnits) {
    const associates = [];
    for (const associate of unit.associates) {
      const customer = customers.find((c) => c.email === associate.email);
      if (!customer)
        throw new CtpTestingError(
          `startEmbeddedCommercetools: business unit ${unit.key} names ${associate.email}, who is not among the customers`,
        );
      const roleKey = `role-${(roles += 1)}`;
      await post('associate-roles', {
        key: roleKey,
        name: roleKey,
        buyerAssignable: false,
        permissions: associate.permissions,
      });
      associates.push({
        customer: { typeId: 'customer', id: customer.id },
        associateRoleAssignments: [
          { associateRole: { typeId: 'associate-role', key: roleKey }, inheritance: 'Disabled' },
        ],
      });
    }
    await post('business-units', { key: unit.key, unitType: 'Company', name: unit.name ?? unit.key, associates });
  }
  return {
    categoryIds: categories.map((c) => c.id),
    skus: products.map((p) => p.sku),
    customer: customers[0]!,
    customers,
  };
}
