import { describe, expect, it } from 'vitest';
import { isRefreshRefused } from '../../../src/auth/isRefreshRefused';
import { oauthErrorFromResponse } from '../../../src/auth/oauthErrorFromResponse';
import { CtpAnswerRefusedError } from '../../../src/errors/CtpAnswerRefusedError';
import { CtpAuthUnavailableError } from '../../../src/errors/CtpAuthUnavailableError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';

const refreshError = (status: number, body: string) =>
  oauthErrorFromResponse('refresh_token', { response: new Response(body, { status }), text: body }, ['rt-secret']);
const oauth = (error: string) => JSON.stringify({ statusCode: 400, error, error_description: 'x' });

describe(isRefreshRefused, () => {
  describe('when the auth host answers 400 invalid_grant', () => {
    it('should say the refresh token is gone for good', () => {
      expect(isRefreshRefused(refreshError(400, oauth('invalid_grant')))).toBe(true);
    });
  });

  describe('when the answer is anything else', () => {
    it.each<[string, number, string]>([
      ['a WAF 403 HTML page', 403, '<html><body>Access denied</body></html>'],
      ['a proxy 404 HTML page', 404, '<html>Not Found</html>'],
      ['a 408 page', 408, '<html>Request Timeout</html>'],
      ['425 Too Early', 425, ''],
      ['429', 429, '{"error":"too_many_requests"}'],
      ['500', 500, ''],
      ['503 with invalid_grant in the body', 503, oauth('invalid_grant')],
      ['401 invalid_client', 401, oauth('invalid_client')],
      ['400 invalid_request', 400, oauth('invalid_request')],
      ['400 invalid_scope', 400, oauth('invalid_scope')],
      ['403 with invalid_grant in the body', 403, oauth('invalid_grant')],
      ['400 HTML page', 400, '<html>Bad Request</html>'],
    ])('should treat %s as transient', (_name, status, body) => {
      expect(isRefreshRefused(refreshError(status, body))).toBe(false);
    });

    it('should treat network, timeout, oversized and redirected answers as transient', () => {
      expect(
        isRefreshRefused(
          new CtpAuthUnavailableError(CtpErrorCode.AuthTimeout, 'x', { flow: 'refresh_token', attempts: 3 }),
        ),
      ).toBe(false);
      expect(
        isRefreshRefused(
          new CtpAuthUnavailableError(CtpErrorCode.AuthNetwork, 'x', { flow: 'refresh_token', attempts: 3 }),
        ),
      ).toBe(false);
      expect(
        isRefreshRefused(
          new CtpAnswerRefusedError(CtpErrorCode.AnswerTooLarge, 'x', {
            host: 'auth',
            flow: 'refresh_token',
            status: 200,
          }),
        ),
      ).toBe(false);
      expect(
        isRefreshRefused(
          new CtpAnswerRefusedError(CtpErrorCode.RedirectRefused, 'x', {
            host: 'auth',
            flow: 'refresh_token',
            status: 307,
          }),
        ),
      ).toBe(false);
      expect(isRefreshRefused(new Error('invalid_grant'))).toBe(false);
      expect(isRefreshRefused(undefined)).toBe(false);
    });
  });
});
