// ctp-client/testing: for an app's own tests. Not imported by the library's main entry, so an app's
// production bundle never loads it (or @labdigital/commercetools-mock).
export { CtpTestingError } from './CtpTestingError';
export type { FakeApiClient } from './auth/StrictAuth';
export type { FakeExternalOAuth, IntrospectionAnswer } from './auth/ExternalOAuth';
export type { FakeCheckoutSession } from './checkout/FakeCheckoutHost';
export type { GrantRecord } from './embedded/platformPatches';
export type { SeedBusinessUnit, SeedCustomer, SeededProject } from './embedded/seedProject';
export {
  startEmbeddedCommercetools,
  type EmbeddedCommercetools,
  type EmbeddedCommercetoolsOptions,
} from './embedded/startEmbeddedCommercetools';
export {
  createMockCommercetools,
  type MockAccountCustomer,
  type MockAnswer,
  type MockAssociate,
  type MockBusinessUnit,
  type MockCategory,
  type MockCommercetools,
  type MockCommercetoolsOptions,
  type MockCustomer,
  type MockIdentity,
  type MockLocalized,
  type MockPrice,
  type MockProduct,
  type MockRequest,
  type MockVariant,
} from './mock/createMockCommercetools';
