import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../../src/util/SingleFlight';

describe(SingleFlight, () => {
  describe('.run', () => {
    describe('when the work throws synchronously', () => {
      it('should reject that call and start afresh on the next, caching nothing', async () => {
        const flight = new SingleFlight<string, number>();
        let calls = 0;
        const work = () => {
          calls += 1;
          if (calls === 1) throw new Error('sync boom');
          return Promise.resolve(calls);
        };
        await expect(flight.run('k', work)).rejects.toThrow('sync boom');
        expect(flight.size).toBe(0);
        await expect(flight.run('k', work)).resolves.toBe(2);
        expect(calls).toBe(2);
      });
    });

    describe('when the work is in flight', () => {
      it('should give every caller the same promise and free the key after it settles', async () => {
        const flight = new SingleFlight<string, number>();
        let release!: (value: number) => void;
        let calls = 0;
        const work = () => {
          calls += 1;
          return new Promise<number>((resolve) => (release = resolve));
        };
        const a = flight.run('k', work);
        const b = flight.run('k', work);
        expect(a).toBe(b);
        expect(flight.size).toBe(1);
        release(7);
        await expect(a).resolves.toBe(7);
        expect(flight.size).toBe(0);
        expect(calls).toBe(1);
      });
    });

    describe('when the work rejects asynchronously', () => {
      it('should free the key so the next call starts afresh', async () => {
        const flight = new SingleFlight<string, number>();
        await expect(flight.run('k', () => Promise.reject(new Error('async boom')))).rejects.toThrow('async boom');
        await expect(flight.run('k', () => Promise.resolve(1))).resolves.toBe(1);
      });
    });
  });
});
