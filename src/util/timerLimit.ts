/**
 * Node's timers hold a signed 32-bit number of milliseconds: a larger delay fires after 1 ms
 * (with a TimeoutOverflowWarning), so a 30-day timeout would time out at once.
 */
export const MAX_TIMER_MS = 2_147_483_647;
