import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { AnonymousCartSignInMode, CustomerSignIn } from './CustomerSignIn';
import type { SessionStorage } from './SessionStorage';
import type { SessionTokens } from './SessionTokens';

export interface CustomerClaim {
  /** The credentials of the customer token: the backend sign-in moves the cart with them. */
  email: string;
  password: string;
  storeKey: string | undefined;
  anonymousCartSignInMode: AnonymousCartSignInMode | undefined;
  reason: 'login' | 'sign-up';
}

/** The claim step of sign-in and sign-up: from an anonymous session, the backend sign-in then moves the cart. */
export function claimCustomer(
  tokens: SessionTokens,
  signIn: Pick<CustomerSignIn, 'signIn'>,
  storage: SessionStorage,
  before: CtpAuthToken | undefined,
  customer: CtpAuthToken,
  claim: CustomerClaim,
): Promise<{ token: CtpAuthToken; replaced: CtpAuthToken | undefined }> {
  const { reason, anonymousCartSignInMode = 'MergeWithExistingCustomerCart', ...credentials } = claim;
  return tokens.claim(storage, before, customer, {
    reason,
    fromAnonymous: async ({ anonymousId }) => {
      if (anonymousId !== undefined) await signIn.signIn({ ...credentials, anonymousId, anonymousCartSignInMode });
    },
  });
}
