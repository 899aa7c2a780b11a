import { describe, expect, it } from 'vitest';
import { basicAuthorization } from '../../../src/auth/basicAuthorization';
import { redact, secretForms } from '../../../src/util/redact';

describe('redact', () => {
  describe('when the secret is short', () => {
    it('should redact a 3-character password: there is no length floor', () => {
      expect(redact('you sent p4$ as the password', ['p4$'])).toBe('you sent [redacted] as the password');
    });
  });

  describe('when the secret appears encoded', () => {
    const secret = 'a b/c+d&e=f!g~h(i)';
    it.each([
      ['raw', secret],
      ['URL-encoded (encodeURIComponent)', encodeURIComponent(secret)],
      ['form-encoded (URLSearchParams, + for space)', new URLSearchParams({ v: secret }).toString().slice(2)],
      [
        'form-encoded the legacy way (encodeURIComponent, + for space)',
        encodeURIComponent(secret).replace(/%20/g, '+'),
      ],
      ['URL-encoded with lower-case hex', encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
    ])('should redact its %s form', (_name, form) => {
      const out = redact(`echo: <${form}>`, [secret]);
      expect(out).toBe('echo: <[redacted]>');
    });

    it('should redact the Basic credentials (base64 of the form-encoded id:secret) when they are passed as a secret', () => {
      const basic = basicAuthorization('my client', 'p:w%d').slice('Basic '.length);
      expect(redact(`header was Basic ${basic}`, [basic])).toBe('header was Basic [redacted]');
      // The base64 itself has +, / and =: its URL-encoded echo is caught too.
      expect(redact(`q=${encodeURIComponent(basic)}`, [basic])).toBe('q=[redacted]');
    });
  });

  describe('when one secret contains another', () => {
    it('should redact the longest first, leaving no part of the longer one', () => {
      expect(redact('token abcdef-123 and abc', ['abc', 'abcdef-123'])).toBe('token [redacted] and [redacted]');
      expect(redact('token abcdef-123 and abc', ['abcdef-123', 'abc'])).toBe('token [redacted] and [redacted]');
    });

    it('should not re-scan its own marker', () => {
      expect(redact('red', ['red'])).toBe('[redacted]');
    });
  });

  describe('when the secret holds regular-expression characters', () => {
    it('should match it literally', () => {
      expect(redact('x.*y and xay', ['x.*y'])).toBe('[redacted] and xay');
    });
  });

  describe('when there are no secrets', () => {
    it('should return the text unchanged, ignoring undefined and empty ones', () => {
      expect(redact('plain', [undefined, ''])).toBe('plain');
    });
  });
});

describe(secretForms, () => {
  it('should list the raw, URL-encoded and form-encoded forms once each', () => {
    expect(secretForms('a b')).toEqual(['a b', 'a%20b', 'a+b']);
    expect(secretForms('plain')).toEqual(['plain']);
  });
});
