import { describe, expect, it } from 'vitest';
import type { StoredSession } from '../../../src/auth/StoredSession';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createTestServices } from '../../support/createTestServices';
import { storedToken } from '../../support/session/storedToken';

/** A session copy whose compare-and-set waits for the test: holds the first request's store open. */
class HeldWrites extends MemorySessionStorage {
  #open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.#open = resolve));
  writing!: Promise<void>;
  #entered!: () => void;
  constructor(id: string) {
    super(id);
    this.writing = new Promise<void>((resolve) => (this.#entered = resolve));
  }
  open(): void {
    this.#open();
  }
  override async compareAndSet(expected: StoredSession | undefined, next: StoredSession | undefined): Promise<boolean> {
    this.#entered();
    await this.opened;
    return super.compareAndSet(expected, next);
  }
}

// Found by mutation testing (bench/mutation.md): the guard that keeps a second request of one
// session id from storing an anonymous start that a sign-out ended meanwhile.
describe('two requests of one session id start it anonymously while it signs out', () => {
  it("should not store the ended start in the second request's copy of the session", async () => {
    const { client, session, platform } = createTestServices();
    // express-session gives each request its own copy of the session: two storages, one id.
    const first = new HeldWrites('sid-1');
    const second = new MemorySessionStorage('sid-1');
    const a = runWithCtpSession(first, () => client.customerApiRoot());
    const b = runWithCtpSession(second, () => client.customerApiRoot()).then(
      () => 'stored',
      (error: { code?: string }) => error.code,
    );
    // The first request is storing the anonymous token; the sign-out queues behind it.
    await first.writing;
    const loggedOut = runWithCtpSession(first, () => session.logout());
    first.open();
    await a;
    await loggedOut;
    expect(await b).toBe(CtpErrorCode.SessionExpired);
    expect(await second.get()).toBeUndefined();
    expect(await storedToken(first)).toBeUndefined();
    // One grant for both requests, and its pair revoked by the sign-out.
    expect(platform.grants('anonymous')).toHaveLength(1);
    expect(platform.callsTo('/oauth/token/revoke').length).toBeGreaterThanOrEqual(2);
  });
});
