import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadlineRace } from '../../../src/util/DeadlineRace';

afterEach(() => {
  vi.useRealTimers();
});

const never = () => new Promise<never>(() => undefined);

describe(DeadlineRace, () => {
  it('should share one interval between the calls it waits for, and stop it once none is left', async () => {
    vi.useFakeTimers();
    const race = new DeadlineRace();
    const a = race.race(never(), 1_000, () => new Error('a late')).catch((e: Error) => e.message);
    const b = race.race(never(), 1_000, () => new Error('b late')).catch((e: Error) => e.message);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(await a).toBe('a late');
    expect(await b).toBe('b late');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('should tick no slower than a deadline shorter than its tick', async () => {
    vi.useFakeTimers();
    const race = new DeadlineRace(() => Date.now(), 100);
    let failed = false;
    void race.race(never(), 30, () => new Error('late')).catch(() => (failed = true));
    await vi.advanceTimersByTimeAsync(30);
    expect(failed).toBe(true);
  });

  it('should resolve with the work when it wins, and close() without a timer is harmless', async () => {
    vi.useFakeTimers();
    const race = new DeadlineRace();
    race.close();
    await expect(race.race(Promise.resolve(7), 1_000, () => new Error('late'))).resolves.toBe(7);
    race.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
