import { describe, expect, it } from 'vitest';
import type { SharedToken } from '../../../src/auth/CtpAuthToken';
import { SharedTokenProvider } from '../../../src/tokens/SharedTokenProvider';
import { CapturingLogger, ManualClock } from '../../support/createTestServices';

function setUp() {
  const clock = new ManualClock();
  let grants = 0;
  const grant = async (): Promise<SharedToken> => {
    grants += 1;
    return {
      accessToken: `token-${grants}`,
      issuedAt: clock.now(),
      expiresAt: clock.now() + 3_600_000,
      scopes: ['view_products:p'],
    };
  };
  const provider = new SharedTokenProvider({
    id: {
      name: 'integration',
      authUrl: 'https://auth.example',
      projectKey: 'p',
      clientId: 'c',
      scope: 'view_products:p',
    },
    scopes: ['view_products:p'],
    grant,
    clock,
    logger: new CapturingLogger(),
  });
  return { provider, grants: () => grants };
}

describe(SharedTokenProvider, () => {
  describe('.source', () => {
    it('should hand out sources of one key per token, so request builders are reused, recovering through this provider', async () => {
      const { provider, grants } = setUp();
      const a = await provider.source();
      const b = await provider.source();
      expect(b.key).toBe(a.key);
      expect([a.accessToken, b.accessToken]).toEqual(['token-1', 'token-1']);
      expect(await a.recover('token-1')).toBe('token-2');
      expect(grants()).toBe(2);
    });
  });

  describe('.invalidate', () => {
    it('should drop only the token the API refused, and be harmless before any token is held', async () => {
      const { provider, grants } = setUp();
      expect(() => provider.invalidate('token-0')).not.toThrow();
      await provider.get();
      provider.invalidate('some-older-token');
      expect((await provider.get()).accessToken).toBe('token-1');
      expect(grants()).toBe(1);
      provider.invalidate('token-1');
      expect((await provider.get()).accessToken).toBe('token-2');
      expect(grants()).toBe(2);
    });
  });
});
