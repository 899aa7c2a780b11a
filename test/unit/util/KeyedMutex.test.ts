import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../../src/util/KeyedMutex';

/** A task whose start is recorded and whose end the test decides. */
function gate<T>(log: string[], name: string) {
  let finish!: (value: T) => void;
  let fail!: (error: Error) => void;
  const task = () => {
    log.push(`start ${name}`);
    return new Promise<T>((resolve, reject) => {
      finish = (value) => {
        log.push(`end ${name}`);
        resolve(value);
      };
      fail = (error) => {
        log.push(`fail ${name}`);
        reject(error);
      };
    });
  };
  return { task, finish: (value: T) => finish(value), fail: (error: Error) => fail(error) };
}

/** Lets every queued promise reaction run (the mutex chains a few `then`s per task). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

describe(KeyedMutex, () => {
  describe('.run', () => {
    it('should run the tasks of one key one at a time in arrival order, each with its own result', async () => {
      const mutex = new KeyedMutex<string>();
      const log: string[] = [];
      const a = gate<number>(log, 'a');
      const b = gate<number>(log, 'b');
      const c = gate<number>(log, 'c');
      const ra = mutex.run('k', a.task);
      const rb = mutex.run('k', b.task);
      const rc = mutex.run('k', c.task);
      await settle();
      expect(log).toEqual(['start a']);
      a.finish(1);
      await settle();
      // c must still wait for b: the key's queue was not dropped when a's turn ended.
      expect(log).toEqual(['start a', 'end a', 'start b']);
      b.finish(2);
      await settle();
      expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c']);
      c.finish(3);
      await expect(Promise.all([ra, rb, rc])).resolves.toEqual([1, 2, 3]);
    });

    it('should run tasks of different keys side by side', async () => {
      const mutex = new KeyedMutex<string>();
      const log: string[] = [];
      const a = gate<string>(log, 'a');
      const b = gate<string>(log, 'b');
      const ra = mutex.run('one', a.task);
      const rb = mutex.run('two', b.task);
      await settle();
      expect(log).toEqual(['start a', 'start b']);
      expect(mutex.size).toBe(2);
      b.finish('B');
      a.finish('A');
      await expect(ra).resolves.toBe('A');
      await expect(rb).resolves.toBe('B');
    });

    it('should release the key after a task that rejects, and give that rejection to its caller only', async () => {
      const mutex = new KeyedMutex<string>();
      const log: string[] = [];
      const a = gate<string>(log, 'a');
      const b = gate<string>(log, 'b');
      const ra = mutex.run('k', a.task);
      const rb = mutex.run('k', b.task);
      await settle();
      a.fail(new Error('a broke'));
      await expect(ra).rejects.toThrow('a broke');
      await settle();
      expect(log).toEqual(['start a', 'fail a', 'start b']);
      b.finish('B');
      await expect(rb).resolves.toBe('B');
    });

    it('should release the key after a task that throws synchronously', async () => {
      const mutex = new KeyedMutex<string>();
      const failing = mutex.run('k', () => {
        throw new Error('sync boom');
      });
      await expect(failing).rejects.toThrow('sync boom');
      await expect(mutex.run('k', () => Promise.resolve('next'))).resolves.toBe('next');
      await settle();
      expect(mutex.size).toBe(0);
    });

    it('should hold a key only while it has work queued or running', async () => {
      const mutex = new KeyedMutex<string>();
      const log: string[] = [];
      const a = gate<number>(log, 'a');
      const b = gate<number>(log, 'b');
      expect(mutex.size).toBe(0);
      const ra = mutex.run('k', a.task);
      const rb = mutex.run('k', b.task);
      expect(mutex.size).toBe(1);
      await settle();
      a.finish(1);
      await ra;
      await settle();
      // b is still running: its key stays.
      expect(mutex.size).toBe(1);
      b.finish(2);
      await rb;
      await settle();
      expect(mutex.size).toBe(0);
    });
  });
});
