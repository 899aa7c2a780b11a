import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadline, MAX_TIMEOUT_MS } from '../../../src/util/deadline';

describe(deadline, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('when the time passes', () => {
    it('should abort the signal with a TimeoutError at the deadline, not before, and say it timed out', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const due = deadline(1_000);
      vi.advanceTimersByTime(999);
      expect(due.signal.aborted).toBe(false);
      vi.advanceTimersByTime(1);
      expect(due.signal.aborted).toBe(true);
      expect((due.signal.reason as DOMException).name).toBe('TimeoutError');
      expect(due.timedOut).toBe(true);
    });
  });

  describe('when cleared first', () => {
    it('should never abort', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const due = deadline(1_000);
      due.clear();
      vi.advanceTimersByTime(5_000);
      expect(due.signal.aborted).toBe(false);
      expect(due.timedOut).toBe(false);
    });
  });

  describe('when the caller aborts', () => {
    it('should abort with the caller reason and not count as a timeout', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const caller = new AbortController();
      const due = deadline(1_000, caller.signal);
      caller.abort(new Error('client went away'));
      expect(due.signal.aborted).toBe(true);
      expect((due.signal.reason as Error).message).toBe('client went away');
      expect(due.timedOut).toBe(false);
      due.clear();
    });

    it('should still time out when the caller signal never aborts', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const due = deadline(10, new AbortController().signal);
      vi.advanceTimersByTime(10);
      expect(due.signal.aborted).toBe(true);
      expect(due.timedOut).toBe(true);
    });
  });

  describe('when abort() is called (close())', () => {
    it('should abort the signal with its reason, merged with a caller signal too, and not count as a timeout', () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const reason = new Error('closed');
      const alone = deadline(1_000);
      const merged = deadline(1_000, new AbortController().signal);
      alone.abort(reason);
      merged.abort(reason);
      for (const due of [alone, merged]) {
        expect(due.signal.aborted).toBe(true);
        expect(due.signal.reason).toBe(reason);
        expect(due.timedOut).toBe(false);
        due.clear();
      }
      vi.advanceTimersByTime(1_000);
      expect(alone.timedOut).toBe(false);
    });
  });

  describe('when the timeout is out of range', () => {
    it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, MAX_TIMEOUT_MS + 1])(
      'should refuse %s rather than let setTimeout fire at once',
      (ms) => {
        expect(() => deadline(ms)).toThrow(RangeError);
      },
    );
  });
});
