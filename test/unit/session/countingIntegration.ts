import type { SharedToken } from '../../../src/auth/CtpAuthToken';
import { SharedTokenProvider } from '../../../src/tokens/SharedTokenProvider';
import { systemClock } from '../../../src/util/Clock';
import { silentLogger } from '../../../src/util/Logger';

/** A real integration SharedTokenProvider whose grants answer token-1, token-2... and are counted. */
export function countingIntegration(): { integration: SharedTokenProvider; grants: () => number } {
  let grants = 0;
  const integration = new SharedTokenProvider({
    id: { name: 'integration', authUrl: 'https://auth.example.test', projectKey: 'p', clientId: 'c', scope: 's' },
    scopes: ['s'],
    grant: (): Promise<SharedToken> => {
      grants += 1;
      const now = systemClock.now();
      return Promise.resolve({
        accessToken: `token-${grants}`,
        issuedAt: now,
        expiresAt: now + 3_600_000,
        scopes: ['s'],
      });
    },
    clock: systemClock,
    logger: silentLogger,
  });
  return { integration, grants: () => grants };
}
