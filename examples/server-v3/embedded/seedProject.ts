import type { CommercetoolsMock } from '@labdigital/commercetools-mock';

export interface SeededProject {
  categoryIds: string[];
  skus: string[];
  customer: { email: string; password: string; id: string };
}

/** Seeds through the mock's own HTTP API, with drafts as a real project would take them. */
export async function seedProject(mock: CommercetoolsMock, projectKey: string): Promise<SeededProject> {
  const token = mock.authStore().getClientToken('embedded-seed', '', `manage_project:${projectKey}`).access_token;
  const post = async (path: string, payload: unknown) => {
    const response = await mock.app.inject({
      method: 'POST',
      url: `/${projectKey}/${path}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    if (response.statusCode >= 300) throw new Error(`seeding ${path} failed: ${response.statusCode} ${response.body}`);
    return response.json() as { id: string; customer?: { id: string } };
  };

  const categories = await Promise.all(
    ['Shoes', 'Shirts'].map((name) => post('categories', { key: name.toLowerCase(), name: { en: name }, slug: { en: name.toLowerCase() } })),
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
  const customer = { email: 'alice@example.com', password: 'demo-Passw0rd!' };
  const created = await post('customers', { ...customer, firstName: 'Alice', lastName: 'Example' });
  return { categoryIds: categories.map((c) => c.id), skus: products.map((p) => p.sku), customer: { ...customer, id: created.customer!.id } };
}
