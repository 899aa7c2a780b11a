import { CtpArgumentError } from '../../errors/CtpArgumentError';

const STORE_KEY = /^[A-Za-z0-9_-]{2,256}$/;

/**
 * Refuses what cannot be an email, password or token before anything is sent: a typed error that
 * names the argument and never repeats its value (it may be a password).
 */
export function checkText(argument: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new CtpArgumentError(argument, `${argument} must be a non-empty string of at most ${maxLength} characters.`);
  }
  return value;
}

export function checkEmail(value: unknown): string {
  const email = checkText('email', value, 256);
  if (/\s/.test(email) || !email.includes('@')) throw new CtpArgumentError('email', 'email must be an email address.');
  return email;
}

/** A reset or verification token: printable, no whitespace. */
export function checkTokenValue(value: unknown): string {
  const token = checkText('tokenValue', value, 1024);
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new CtpArgumentError('tokenValue', 'tokenValue must be the token from the link, without spaces.');
  return token;
}

export function checkStoreKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !STORE_KEY.test(value))
    throw new CtpArgumentError('storeKey', 'storeKey must be a Store key (2-256 letters, digits, _ or -).');
  return value;
}
