import { describe, expect, it } from 'vitest';
import type { CtpAuthToken } from '../../../src/auth/CtpAuthToken';
import { toStoredSession } from '../../../src/auth/StoredSession';
import type { ChannelListener, RedisEvents } from '../../../src/fleet/RedisEvents';
import { RedisSessionCache } from '../../../src/fleet/RedisSessionCache';
import { storedToken } from '../../support/session/storedToken';

const token = (n: number) => {
  const fields: CtpAuthToken = {
    kind: 'customer',
    accessToken: `access-${n}`,
    refreshToken: 'refresh-1',
    issuedAt: 1_000,
    expiresAt: 3_601_000,
    scopes: Object.freeze(['manage_my_orders:p']),
    customerId: 'c1',
  };
  return toStoredSession(fields);
};

/** The subscriber as the cache sees it: the test decides when it is live, what arrives and when it drops. */
class FakeEvents {
  listener: ChannelListener | undefined;
  isLive = true;
  live(): boolean {
    return this.isLive;
  }
  listen(_channel: string, listener: ChannelListener): () => void {
    this.listener = listener;
    return () => undefined;
  }
  deliver(message: string): void {
    this.listener?.message(message);
  }
  drop(): void {
    this.isLive = false;
    this.listener?.lost();
  }
}

function setup(options: { maxEntries?: number; maxAgeMs?: number } = {}) {
  const events = new FakeEvents();
  const clock = { t: 0, now: () => clock.t };
  const cache = new RedisSessionCache(events as unknown as RedisEvents, 'ctp:session-changed', { ...options, clock });
  return { events, clock, cache };
}

describe(RedisSessionCache, () => {
  it('should keep what an answer says while the subscription is live', () => {
    const { cache } = setup();
    cache.settle(cache.begin('s1'), token(1));
    expect(cache.lookup('s1')?.a).toBe('access-1');
  });

  describe('when another instance announces a change of the session while a read is in flight', () => {
    it("should not keep the read's answer (the message may have overtaken it)", () => {
      const { cache, events } = setup();
      const ticket = cache.begin('s1');
      events.deliver('other-instance s1');
      cache.settle(ticket, token(1));
      expect(cache.lookup('s1')).toBeUndefined();
    });
  });

  describe('when another instance announces a change of a kept session', () => {
    it('should drop that session only', () => {
      const { cache, events } = setup();
      cache.settle(cache.begin('s1'), token(1));
      cache.settle(cache.begin('s 2'), token(2));
      events.deliver('other-instance s 2');
      expect(cache.lookup('s1')?.a).toBe('access-1');
      expect(cache.lookup('s 2')).toBeUndefined();
    });
  });

  describe("when the announcement is this process's own write", () => {
    it('should keep what the write stored (its answer filled the cache)', () => {
      const { cache, events } = setup();
      const ticket = cache.begin('s1');
      events.deliver(`${cache.origin} s1`);
      cache.settle(ticket, token(3));
      expect(cache.lookup('s1')?.a).toBe('access-3');
    });
  });

  describe('when the subscription is lost', () => {
    it('should drop every session and keep nothing from commands in flight, even once live again', () => {
      const { cache, events } = setup();
      cache.settle(cache.begin('s1'), token(1));
      const ticket = cache.begin('s2');
      events.drop();
      expect(cache.size).toBe(0);
      events.isLive = true;
      cache.settle(ticket, token(2));
      expect(cache.lookup('s2')).toBeUndefined();
    });
  });

  describe('when the command was sent before the subscription was confirmed', () => {
    it('should not keep its answer', () => {
      const { cache, events } = setup();
      events.isLive = false;
      const ticket = cache.begin('s1');
      events.isLive = true;
      cache.settle(ticket, token(1));
      expect(cache.lookup('s1')).toBeUndefined();
    });
  });

  describe('when the answer does not say what is stored (a refused compare-and-set, an error) or nothing is stored', () => {
    it('should drop the session', () => {
      const { cache } = setup();
      cache.settle(cache.begin('s1'), token(1));
      cache.settle(cache.begin('s1'), 'unknown');
      expect(cache.lookup('s1')).toBeUndefined();
      cache.settle(cache.begin('s1'), token(1));
      cache.settle(cache.begin('s1'), undefined);
      expect(cache.lookup('s1')).toBeUndefined();
    });
  });

  it('should hold at most maxEntries sessions, the oldest filled dropped first', () => {
    const { cache } = setup({ maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) cache.settle(cache.begin(id), token(1));
    expect(cache.size).toBe(2);
    expect(cache.lookup('a')).toBeUndefined();
    expect(cache.lookup('c')).toBeDefined();
  });

  it('should read a session again after maxAgeMs even without a message', () => {
    const { cache, clock } = setup({ maxAgeMs: 1_000 });
    cache.settle(cache.begin('s1'), token(1));
    clock.t = 1_000;
    expect(cache.lookup('s1')).toBeDefined();
    clock.t = 1_001;
    expect(cache.lookup('s1')).toBeUndefined();
  });
});

describe('RedisSessionStorage.get with a cache', () => {
  it('should answer from a trusted cache entry, and read Redis on a miss, a dropped subscription or without a cache', async () => {
    const { RedisSessionStorage } = await import('../../../src/fleet/RedisSessionStorage');
    const { cache, events } = setup();
    let reads = 0;
    const redis = { get: async () => ((reads += 1), null), eval: async () => 1 };
    const storage = new RedisSessionStorage(redis, 's1', { cache });
    expect(await storedToken(storage)).toBeUndefined();
    expect(reads).toBe(1);
    cache.settle(cache.begin('s1'), token(1));
    expect((await storedToken(storage))?.accessToken).toBe('access-1');
    expect(reads).toBe(1);
    events.drop();
    expect(await storedToken(storage)).toBeUndefined();
    expect(reads).toBe(2);
    expect(await new RedisSessionStorage(redis, 's1', { cache: false }).get()).toBeUndefined();
    expect(reads).toBe(3);
  });
});
