import { randomUUID } from 'node:crypto';

/** What the platform accepts as X-Correlation-ID: 8 to 256 letters, digits, `_` and `-`. */
const VALID = /^[A-Za-z0-9_-]{8,256}$/;

export function isValidCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && VALID.test(value);
}

/** A UUID: 36 hex digits and `-`, which the platform accepts. */
export function newCorrelationId(): string {
  return randomUUID();
}
