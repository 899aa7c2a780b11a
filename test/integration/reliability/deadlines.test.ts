import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { ManualClock } from '../../support/createTestServices';
import { ALL_DEFAULT_SCOPES, STRICT_CLIENT } from '../../support/strict/createStrictHarness';
import { RecordingServer } from '../../support/strict/RecordingServer';
import { StrictCommercetools } from '../../support/strict/StrictCommercetools';

let strict: StrictCommercetools | undefined;
let hanging: RecordingServer | undefined;

afterEach(async () => {
  vi.useRealTimers();
  await strict?.stop();
  await hanging?.stop();
  strict = undefined;
  hanging = undefined;
});

/** Waits on real I/O (not timers) until the server has seen the client close the request's socket. */
async function untilReleased(server: RecordingServer): Promise<number> {
  await until(() => server.heldRequests === 0);
  return server.heldRequests;
}

/** Real I/O turns (Date is not faked here) until `done()`, at most 10 s: a loaded CI machine is slow. */
async function until(done: () => boolean): Promise<void> {
  const give = Date.now() + 10_000;
  while (!done() && Date.now() < give) await tick();
}

function services(authUrl: string, apiUrl: string, projectKey: string) {
  const config = createCtpConfig({
    projectKey,
    clientId: STRICT_CLIENT.id,
    clientSecret: STRICT_CLIENT.secret,
    authUrl,
    apiUrl,
  });
  return createCtpServices(config, {
    authTimeoutMs: 2_000,
    apiTimeoutMs: 3_000,
    retry: { maxRetries: 0 },
    clock: new ManualClock(),
    sleep: async () => undefined,
  });
}

describe('deadlines cancel requests (real HTTP)', () => {
  describe('when the auth host never answers', () => {
    it('should abort the grant at authTimeoutMs and close its socket', async () => {
      hanging = await new RecordingServer({ hang: true }).start();
      const s = services(hanging.url, hanging.url, 'strict-project');
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const pending = s.client.integrationApiRoot().catch((e: unknown) => e);
      await until(() => hanging!.requests.length > 0);
      expect(hanging.heldRequests).toBe(1);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(await pending).toMatchObject({ code: CtpErrorCode.AuthTimeout });
      expect(await untilReleased(hanging)).toBe(0);
    });
  });

  describe('when the sign-in call to the API never answers', () => {
    it('should abort it at apiTimeoutMs, close its socket, and keep the anonymous session', async () => {
      strict = await new StrictCommercetools().start();
      strict.addClient(STRICT_CLIENT.id, STRICT_CLIENT.secret, ALL_DEFAULT_SCOPES);
      strict.addCustomer('dana@example.com', 'Dana-Pa55word');
      hanging = await new RecordingServer({ hang: true }).start();
      const s = services(strict.url, hanging.url, strict.projectKey);
      const storage = new MemorySessionStorage('s');
      await runWithCtpSession(storage, () => s.session.ensureAnonymous());
      const anonymous = await storage.get();
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const pending = runWithCtpSession(storage, () => s.session.login('dana@example.com', 'Dana-Pa55word')).catch(
        (e: unknown) => e,
      );
      for (let i = 0; i < 2_000 && hanging.requests.length === 0; i += 1) await tick();
      expect(hanging.requests.map((r) => r.path)).toEqual([`/${strict.projectKey}/login`]);
      expect(hanging.heldRequests).toBe(1);
      await vi.advanceTimersByTimeAsync(2_999);
      expect(hanging.heldRequests).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      const error = await pending;
      expect(error).toMatchObject({ code: CtpErrorCode.ApiRequestFailed });
      expect((error as Error).message).toContain('3000 ms');
      expect(await untilReleased(hanging)).toBe(0);
      expect(await storage.get()).toEqual(anonymous);
    });
  });
});
