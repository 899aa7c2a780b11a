import type { Clock } from 'ctp-client';

/** The system clock plus an offset the demo moves forward to make tokens expire. */
export class OffsetClock implements Clock {
  #offsetMs = 0;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}
