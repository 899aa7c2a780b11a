import { describe, expect, it } from 'vitest';
import { parseTokenResponse } from '../../../src/auth/parseTokenResponse';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpTokenResponseError } from '../../../src/errors/CtpTokenResponseError';

const options = { flow: 'client_credentials' as const, secrets: [], requireRefreshToken: false };
const valid = { access_token: 'abc', token_type: 'Bearer', expires_in: 172800, scope: 'view_products:p' };

function answer(body: string, status = 200, type = 'application/json') {
  return { response: new Response(body, { status, headers: { 'content-type': type } }), text: body };
}

function fails(body: string, status = 200, type?: string, requireRefreshToken = false) {
  try {
    parseTokenResponse(answer(body, status, type), { ...options, requireRefreshToken });
  } catch (error) {
    return error as CtpTokenResponseError;
  }
  throw new Error('expected a failure');
}

describe(parseTokenResponse, () => {
  it('should accept a valid answer, lower-casing token_type', () => {
    // Strict: no `refreshToken: undefined` key when the answer has none.
    expect(parseTokenResponse(answer(JSON.stringify(valid)), options)).toStrictEqual({
      accessToken: 'abc',
      tokenType: 'bearer',
      expiresIn: 172800,
      scope: 'view_products:p',
    });
  });

  it('should accept expires_in as a numeric string', () => {
    expect(parseTokenResponse(answer(JSON.stringify({ ...valid, expires_in: '3600' })), options).expiresIn).toBe(3600);
  });

  it.each([
    ['not JSON', 'access_token=abc', 'body'],
    ['a JSON array', '[]', 'body'],
    ['JSON null', 'null', 'body'],
    ['no access_token', JSON.stringify({ ...valid, access_token: undefined }), 'access_token'],
    ['an empty access_token', JSON.stringify({ ...valid, access_token: '' }), 'access_token'],
    ['a numeric access_token', JSON.stringify({ ...valid, access_token: 42 }), 'access_token'],
    ['token_type mac', JSON.stringify({ ...valid, token_type: 'mac' }), 'token_type'],
    ['no token_type', JSON.stringify({ ...valid, token_type: undefined }), 'token_type'],
    ['a negative expires_in', JSON.stringify({ ...valid, expires_in: -1 }), 'expires_in'],
    ['a zero expires_in', JSON.stringify({ ...valid, expires_in: 0 }), 'expires_in'],
    ['a non-numeric expires_in', JSON.stringify({ ...valid, expires_in: 'soon' }), 'expires_in'],
    ['no scope', JSON.stringify({ ...valid, scope: undefined }), 'scope'],
    ['a numeric refresh_token', JSON.stringify({ ...valid, refresh_token: 7 }), 'refresh_token'],
    ['a null refresh_token', JSON.stringify({ ...valid, refresh_token: null }), 'refresh_token'],
    ['a JSON number', '42', 'body'],
    ['a JSON string', '"abc"', 'body'],
    ['a boolean expires_in (Number(true) is 1)', JSON.stringify({ ...valid, expires_in: true }), 'expires_in'],
    ['an expires_in in an array', JSON.stringify({ ...valid, expires_in: [3600] }), 'expires_in'],
    ['a blank scope', JSON.stringify({ ...valid, scope: '   ' }), 'scope'],
    [
      'an expires_in of 1e308 (expiresAt would be Infinity)',
      JSON.stringify({ ...valid, expires_in: 1e308 }),
      'expires_in',
    ],
    ['an expires_in over a year', JSON.stringify({ ...valid, expires_in: 365 * 24 * 3600 + 1 }), 'expires_in'],
    ['an expires_in under a second', JSON.stringify({ ...valid, expires_in: 0.5 }), 'expires_in'],
    ['an access_token with CR/LF', JSON.stringify({ ...valid, access_token: 'abc\r\nX-Evil: 1' }), 'access_token'],
    ['an access_token with a space', JSON.stringify({ ...valid, access_token: 'abc def' }), 'access_token'],
    ['an access_token with a colon', JSON.stringify({ ...valid, access_token: 'abc:def' }), 'access_token'],
    [
      'an access_token of 4097 characters',
      JSON.stringify({ ...valid, access_token: 'a'.repeat(4097) }),
      'access_token',
    ],
    ['a refresh_token with LF', JSON.stringify({ ...valid, refresh_token: 'p:abc\n' }), 'refresh_token'],
    ['an empty refresh_token', JSON.stringify({ ...valid, refresh_token: '' }), 'refresh_token'],
    [
      'a refresh_token of 4097 characters',
      JSON.stringify({ ...valid, refresh_token: 'r'.repeat(4097) }),
      'refresh_token',
    ],
  ])('should refuse %s with CTP_TOKEN_RESPONSE_INVALID naming the field', (_name, body, field) => {
    const error = fails(body);
    expect(error).toBeInstanceOf(CtpTokenResponseError);
    expect(error.code).toBe(CtpErrorCode.TokenResponseInvalid);
    expect(error.field).toBe(field);
  });

  it('should accept the bounds: 1 s and 1 year, a 4096-character token, b64token padding and a commercetools refresh token', () => {
    const parse = (extra: object) => parseTokenResponse(answer(JSON.stringify({ ...valid, ...extra })), options);
    expect(parse({ expires_in: 1 }).expiresIn).toBe(1);
    expect(parse({ expires_in: 365 * 24 * 3600 }).expiresIn).toBe(365 * 24 * 3600);
    expect(parse({ access_token: 'a'.repeat(4096) }).accessToken).toHaveLength(4096);
    expect(parse({ access_token: 'aB9-._~+/==' }).accessToken).toBe('aB9-._~+/==');
    expect(parse({ refresh_token: 'my-project:OWStLG0eaeVs7Yx3-Z4H8TSq0nGrI3S7oqW9bX1lFAs' }).refreshToken).toBe(
      'my-project:OWStLG0eaeVs7Yx3-Z4H8TSq0nGrI3S7oqW9bX1lFAs',
    );
  });

  it('should quote no server value in any message: not the content-type, not token_type', () => {
    expect(fails('<html>x</html>', 200, 'text/html; charset=evil-proxy').message).not.toContain('evil-proxy');
    expect(fails(JSON.stringify({ ...valid, token_type: 'Bearer-ish-value' })).message).not.toContain('Bearer-ish');
  });

  it('should say which rule a body broke: not JSON, or JSON that is not an object', () => {
    expect(fails('access_token=abc').message).toContain('invalid: not JSON.');
    expect(fails('[]').message).toContain('invalid: not a JSON object.');
  });

  it('should require a refresh token where the flow must return one', () => {
    expect(fails(JSON.stringify(valid), 200, undefined, true).field).toBe('refresh_token');
  });

  it('should not put the access token of a malformed answer in the message', () => {
    const error = fails(JSON.stringify({ ...valid, access_token: 'secret-access-token-value', token_type: 'mac' }));
    expect(error.message).not.toContain('secret-access-token-value');
    expect(JSON.stringify(error)).not.toContain('secret-access-token-value');
  });

  it('should turn an HTML 4xx page into CTP_AUTH_REJECTED that says it was HTML', () => {
    const error = fails('<html><body>Forbidden</body></html>', 403, 'text/html');
    expect(error.code).toBe(CtpErrorCode.AuthRejected);
    expect(error.message).toContain('HTML');
  });

  it('should keep the raw response out of JSON and enumeration', () => {
    const error = fails('nope');
    expect(error.response).toBeInstanceOf(Response);
    expect(Object.keys(error)).not.toContain('response');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'CtpTokenResponseError',
      code: 'CTP_TOKEN_RESPONSE_INVALID',
      message: error.message,
      status: 200,
      field: 'body',
    });
  });
});
