import type fc from 'fast-check';

/**
 * Lets the scheduler finish every step until `done()`; a step scheduled after a few macrotask turns
 * (an op between two awaits) is still waited for, and a run that waits on nothing is a deadlock.
 */
export async function drain(s: fc.Scheduler, done: () => boolean): Promise<void> {
  for (let idle = 0; !done() || s.count() > 0;) {
    if (s.count() > 0) {
      idle = 0;
      await s.waitOne();
    } else {
      if ((idle += 1) > 50) throw new Error('deadlock: an operation waits for a step that is never scheduled');
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
