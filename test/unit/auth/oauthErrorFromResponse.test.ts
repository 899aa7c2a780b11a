import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { oauthErrorFromResponse } from '../../../src/auth/oauthErrorFromResponse';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import type { CtpOAuthError } from '../../../src/errors/CtpOAuthError';

const PASSWORD = 'p4$';
const body = (error: string, description: string) =>
  JSON.stringify({ statusCode: 400, error, error_description: description });
const answer = (status: number, text: string) => ({ response: new Response(text, { status }), text });

describe(oauthErrorFromResponse, () => {
  describe('when the server sends an error and a description', () => {
    it.each<[string, number, string, string]>([
      ['a generic rejection', 400, 'invalid_request', CtpErrorCode.AuthRejected],
      ['invalid_scope', 400, 'invalid_scope', CtpErrorCode.InvalidScope],
      ['invalid_client', 401, 'invalid_client', CtpErrorCode.InvalidClient],
    ])('should keep them in fields, never in the message (%s)', (_name, status, error, code) => {
      const e = oauthErrorFromResponse(
        'password',
        answer(status, body(error, 'Server says: beware of the ogre')),
        [PASSWORD],
        'view_products:p',
      ) as CtpOAuthError;
      expect(e.code).toBe(code);
      expect(e.error).toBe(error);
      expect(e.errorDescription).toBe('Server says: beware of the ogre');
      expect(e.message).not.toContain('ogre');
      expect(e.message).not.toContain(error === 'invalid_scope' ? 'ogre' : error);
    });
  });

  describe('when the server echoes a secret in any field, in any encoding', () => {
    it('should redact it from error, errorDescription, JSON and every inspect mode, whatever its length', () => {
      const echo = `raw ${PASSWORD} url ${encodeURIComponent(PASSWORD)} form ${new URLSearchParams({ p: PASSWORD }).toString()}`;
      const e = oauthErrorFromResponse('password', answer(400, body(`bad_${PASSWORD}`, echo)), [
        PASSWORD,
      ]) as CtpOAuthError;
      expect(e.error).toBe('bad_[redacted]');
      expect(e.errorDescription).toBe('raw [redacted] url [redacted] form p=[redacted]');
      for (const text of [
        e.message,
        JSON.stringify(e),
        inspect(e, { showHidden: true, depth: null }),
        String(e.stack),
      ]) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(encodeURIComponent(PASSWORD));
      }
    });
  });

  describe('when the answer is a proxy page', () => {
    it('should say it was HTML without quoting it', () => {
      const e = oauthErrorFromResponse(
        'refresh_token',
        answer(403, '<html><title>Blocked by WAF rule 942</title></html>'),
        [],
      );
      expect(e.code).toBe(CtpErrorCode.AuthRejected);
      expect(e.message).toContain('HTML');
      expect(e.message).not.toContain('942');
    });
  });
});
