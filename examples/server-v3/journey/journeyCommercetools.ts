import type { EmbeddedCommercetoolsOptions } from 'ctp-client/testing';

/**
 * What the journey needs of the embedded commercetools besides its defaults: the seeded customer
 * (as by default), two Stores for the Store shopper's steps, and a business unit whose only
 * associate is the seeded customer, allowed to view and create her carts there; and the Checkout
 * session host (commercetools Checkout) for the checkout steps.
 */
export const JOURNEY_COMMERCETOOLS: EmbeddedCommercetoolsOptions = {
  customers: [{ email: 'alice@example.com', password: 'demo-Passw0rd!', firstName: 'Alice', lastName: 'Example' }],
  stores: ['nordic', 'alpine'],
  businessUnits: [
    {
      key: 'acme',
      name: 'ACME Corp.',
      associates: [{ email: 'alice@example.com', permissions: ['ViewMyCarts', 'CreateMyCarts'] }],
    },
  ],
  checkout: { applicationKey: 'demo-checkout' },
};
