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
  return tokens.claim(storage, before, customer, {
    reason: claim.reason,
    fromAnonymous: async (anonymous) => {
      if (anonymous.anonymousId === undefined) return;
      await signIn.signIn({
        email: claim.email,
        password: claim.password,
        anonymousId: anonymous.anonymousId,
        anonymousCartSignInMode: claim.anonymousCartSignInMode ?? 'MergeWithExistingCustomerCart',
        storeKey: claim.storeKey,
      });
    },
  });
}
