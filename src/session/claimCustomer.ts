import type { CtpAuthToken } from '../auth/CtpAuthToken';
import type { AnonymousCartSignInMode, CustomerSignIn } from './CustomerSignIn';
import type { SessionStorage } from './SessionStorage';
import type { SessionTokens } from './SessionTokens';

export interface CustomerClaim {
  /** The credentials the customer token was granted for: the backend sign-in moves the cart with them. */
  email: string;
  password: string;
  storeKey: string | undefined;
  anonymousCartSignInMode: AnonymousCartSignInMode | undefined;
  /** For revocation logs: `login`, `sign-up`. */
  reason: 'login' | 'sign-up';
}

/**
 * The one claim step of sign-in and sign-up: `customer` takes the session over by compare-and-set
 * (SessionTokens.claim); if the session was anonymous, the backend sign-in with its anonymousId
 * moves the anonymous cart to the customer (the anonymous session is put back if that fails). The
 * cart moves after the claim, so that of two racing sign-ins of one session only the one stored
 * moves it.
 */
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
