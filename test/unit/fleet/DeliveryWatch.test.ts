import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeliveryWatch } from '../../../src/fleet/DeliveryWatch';
import { CapturingLogger } from '../../support/createTestServices';

// Fake timers and an injected monotonic clock: the heartbeats, the lag and the bound, without waiting.

// The watch's monotonic clock is the faked Date, so it moves as the fake timers fire.
let now = 0;
const sent: string[] = [];
const lapses: number[] = [];
let logger: CapturingLogger;

function watch(): DeliveryWatch {
  return new DeliveryWatch({
    publish: async (message) => void sent.push(message),
    onLapse: (lag) => void lapses.push(lag),
    logger,
    intervalMs: 500,
    maxLagMs: 1_500,
    now: () => Date.now(),
  });
}

/** Advances the clock and the fake timers together. */
function advance(ms: number): void {
  vi.advanceTimersByTime(ms);
  now = Date.now();
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(10_000);
  now = 10_000;
  sent.length = 0;
  lapses.length = 0;
  logger = new CapturingLogger();
});

afterEach(() => {
  vi.useRealTimers();
});

describe(DeliveryWatch, () => {
  it('should beat at once and every interval, and stop on stop()', () => {
    const w = watch();
    w.start();
    expect(sent).toEqual(['10000']);
    advance(1_000);
    expect(sent).toEqual(['10000', '10500', '11000']);
    expect(vi.getTimerCount()).toBe(1);
    w.stop();
    expect(vi.getTimerCount()).toBe(0);
    advance(5_000);
    expect(sent).toHaveLength(3);
  });

  it('should trust delivery only once a heartbeat came back, and while the newest one heard was sent at most the bound ago', () => {
    const w = watch();
    w.start();
    expect(w.trusted()).toBe(false);
    w.heard(sent[0]!);
    expect(w.trusted()).toBe(true);
    // Nothing comes back: trusted until the heartbeat heard is 1.5 s old, not a moment longer.
    advance(1_500);
    expect(w.trusted()).toBe(true);
    expect(lapses).toEqual([]);
    advance(1);
    expect(w.trusted()).toBe(false);
    expect(lapses).toEqual([1_501]);
    expect(logger.events('ctp.redis.subscriber.lagging')).toHaveLength(1);
    // A late heartbeat that was itself sent too long ago does not restore it.
    advance(1_000);
    expect(sent[1]).toBe('10500');
    w.heard(sent[1]!);
    expect(w.trusted()).toBe(false);
    // A recent one does, once, and says so.
    w.heard(sent.at(-1)!);
    expect(w.trusted()).toBe(true);
    expect(lapses).toHaveLength(1);
    expect(logger.events('ctp.redis.subscriber.delivering')).toHaveLength(1);
    w.stop();
  });

  it('should report a lapse that nobody asked about before a heartbeat restores trust', () => {
    const w = watch();
    w.start();
    w.heard(sent[0]!);
    expect(w.trusted()).toBe(true);
    // The event loop stalls 3 s (no timer, no question); then a fresh heartbeat arrives first.
    vi.setSystemTime((now += 3_000));
    w.heard(String(now - 10));
    expect(lapses).toHaveLength(1);
    expect(w.trusted()).toBe(true);
    w.stop();
  });

  it('should lapse from its own beat when nobody asks', () => {
    const w = watch();
    w.start();
    w.heard(sent[0]!);
    expect(w.trusted()).toBe(true);
    advance(2_000);
    expect(lapses).toHaveLength(1);
    w.stop();
  });

  it('should ignore what is not a heartbeat of its own and forget everything heard on reset()', () => {
    const w = watch();
    w.start();
    w.heard('not a time');
    w.heard(String(now + 60_000));
    expect(w.trusted()).toBe(false);
    w.heard(sent[0]!);
    expect(w.trusted()).toBe(true);
    w.reset();
    expect(w.trusted()).toBe(false);
    // A lost connection is told by its owner: no lapse of its own.
    expect(lapses).toEqual([]);
    w.stop();
  });
});
