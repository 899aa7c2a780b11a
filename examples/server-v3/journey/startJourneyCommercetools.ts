import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createIntrospectionHandler } from 'ctp-client';
import { startEmbeddedCommercetools, type EmbeddedCommercetools } from 'ctp-client/testing';
import { DemoIdentityProvider } from '../app/DemoIdentityProvider';
import { JOURNEY_COMMERCETOOLS } from './journeyCommercetools';

export interface JourneyCommercetools {
  embedded: EmbeddedCommercetools;
  /** The shop's identity provider, whose tokens the embedded commercetools accepts through External OAuth. */
  provider: DemoIdentityProvider;
  stop: () => Promise<void>;
}

/**
 * The embedded commercetools of the journey (JOURNEY_COMMERCETOOLS) with External OAuth set up as a
 * shop does it: the shop's introspection endpoint (createIntrospectionHandler over its identity
 * provider) on 127.0.0.1, and the project's externalOAuth pointing at it with a shared secret.
 * `now` is the provider's clock: the app's, so that its tokens expire as the app sees time pass.
 */
export async function startJourneyCommercetools(now: () => number = Date.now): Promise<JourneyCommercetools> {
  const provider = new DemoIdentityProvider(now);
  const authorizationHeader = `Bearer ${randomBytes(24).toString('base64url')}`;
  const introspection = createServer(
    createIntrospectionHandler({
      projectKey: JOURNEY_COMMERCETOOLS.projectKey ?? 'demo-project',
      authorization: authorizationHeader,
      verify: async (token) => provider.verify(token),
    }),
  );
  await new Promise<void>((resolve) => introspection.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(introspection.address() as AddressInfo).port}/introspect`;
  const embedded = await startEmbeddedCommercetools({
    ...JOURNEY_COMMERCETOOLS,
    externalOAuth: { url, authorizationHeader },
  });
  return {
    embedded,
    provider,
    stop: async () => {
      await embedded.stop();
      await new Promise((resolve) => introspection.close(resolve));
    },
  };
}
