import { describe, expect, it } from 'vitest';
import { FleetWaiters } from '../../../src/fleet/FleetWaiters';
import type { ChannelListener, RedisEvents } from '../../../src/fleet/RedisEvents';

/** The channel as the waiters see it: the test delivers messages; listen() calls are counted. */
class FakeChannel {
  listeners: { channel: string; listener: ChannelListener }[] = [];
  readonly events = {
    listen: (channel: string, listener: ChannelListener) => {
      this.listeners.push({ channel, listener });
      return () => undefined;
    },
  } as unknown as RedisEvents;
  deliver(name: string): void {
    for (const { listener } of this.listeners) listener.message(name);
  }
}

/** A fallback poll that never ends by itself: a waiter that resolves was woken by a message. */
const neverPolls = () => new Promise<void>(() => undefined);

/** Whether `promise` has settled after the microtasks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('FleetWaiters', () => {
  it('should subscribe to its channel once, however often listen() is called', () => {
    const channel = new FakeChannel();
    const waiters = new FleetWaiters('ctp:fleet', neverPolls);
    waiters.listen(channel.events);
    waiters.listen(channel.events);
    expect(channel.listeners.map((l) => l.channel)).toEqual(['ctp:fleet']);
  });

  it('should wake a waiter when a message names it, before its fallback poll, and no waiter of another name', async () => {
    const channel = new FakeChannel();
    const waiters = new FleetWaiters('ctp:fleet', neverPolls);
    waiters.listen(channel.events);
    const mine = waiters.expect('shared:a').until(60_000);
    const other = waiters.expect('shared:b').until(60_000);
    expect(await settled(mine)).toBe(false);
    channel.deliver('shared:a');
    expect(await settled(mine)).toBe(true);
    expect(await settled(other)).toBe(false);
  });

  it('should not wait at all when the message came between expect() and until()', async () => {
    const channel = new FakeChannel();
    const waiters = new FleetWaiters('ctp:fleet', neverPolls);
    waiters.listen(channel.events);
    const waiter = waiters.expect('refresh:a');
    channel.deliver('refresh:a');
    expect(await settled(waiter.until(60_000))).toBe(true);
  });

  it('should wake every waiter of one name, and after one cancels, still the others', async () => {
    const channel = new FakeChannel();
    const waiters = new FleetWaiters('ctp:fleet', neverPolls);
    waiters.listen(channel.events);
    const first = waiters.expect('shared:a');
    const second = waiters.expect('shared:a');
    const third = waiters.expect('shared:a');
    first.cancel();
    const waits = [second.until(60_000), third.until(60_000)];
    channel.deliver('shared:a');
    expect(await Promise.all(waits.map(settled))).toEqual([true, true]);
  });

  it('should register a waiter anew after every waiter of its name cancelled (twice, harmlessly)', async () => {
    const channel = new FakeChannel();
    const waiters = new FleetWaiters('ctp:fleet', neverPolls);
    waiters.listen(channel.events);
    const gone = waiters.expect('shared:a');
    gone.cancel();
    gone.cancel(); // a second cancel finds nothing to remove, and is harmless
    const later = waiters.expect('shared:a').until(60_000);
    channel.deliver('shared:a');
    expect(await settled(later)).toBe(true);
  });

  it('should end the wait at the fallback poll when no message comes', async () => {
    let poll!: () => void;
    const asked: number[] = [];
    const waiters = new FleetWaiters('ctp:fleet', (ms) => {
      asked.push(ms);
      return new Promise<void>((resolve) => (poll = resolve));
    });
    const waiting = waiters.expect('shared:a').until(250);
    expect(await settled(waiting)).toBe(false);
    expect(asked).toEqual([250]);
    poll();
    expect(await settled(waiting)).toBe(true);
  });
});
