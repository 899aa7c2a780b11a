import { describe, expect, it } from 'vitest';
import { CtpError } from '../../../src/errors/CtpError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { CtpInvalidCredentialsError } from '../../../src/errors/CtpInvalidCredentialsError';
import { CtpSessionError } from '../../../src/errors/CtpSessionError';
import { ctpErrorResponse } from '../../../src/http/ctpErrorResponse';

const SECRET = 'Bearer eyJ-secret-access-token and client secret s3cr3t';

describe('ctpErrorResponse', () => {
  it.each(Object.values(CtpErrorCode))(
    "should give %s a status and a fixed text, never the error's message",
    (code) => {
      const { status, body } = ctpErrorResponse(new CtpError(code, `failed: ${SECRET}`));
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
      expect(body.error).toBe(code);
      expect(body.message.length).toBeGreaterThan(5);
      expect(JSON.stringify(body)).not.toMatch(/secret|Bearer|eyJ/);
      // Only the library's code and its text: nothing else of the error reaches the browser.
      expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    },
  );

  it('should answer what a shopper can act on with 4xx and a backend failure with 5xx', () => {
    const statusOf = (code: CtpErrorCode) => ctpErrorResponse(new CtpError(code, 'x')).status;
    expect(ctpErrorResponse(new CtpInvalidCredentialsError())).toEqual({
      status: 400,
      body: { error: 'CTP_INVALID_CREDENTIALS', message: 'Wrong email or password.' },
    });
    expect(ctpErrorResponse(new CtpSessionError(CtpErrorCode.NoSession, 'No customer is signed in.'))).toEqual({
      status: 401,
      body: { error: 'CTP_NO_SESSION', message: 'Please sign in first.' },
    });
    expect(statusOf(CtpErrorCode.SessionExpired)).toBe(401);
    expect(statusOf(CtpErrorCode.ApiNotFound)).toBe(404);
    expect(statusOf(CtpErrorCode.ApiForbidden)).toBe(403);
    expect(statusOf(CtpErrorCode.ApiConflict)).toBe(409);
    expect(statusOf(CtpErrorCode.EmailTaken)).toBe(409);
    expect(statusOf(CtpErrorCode.AuthUnavailable)).toBe(503);
    expect(statusOf(CtpErrorCode.ApiTimeout)).toBe(504);
    expect(statusOf(CtpErrorCode.ApiFailed)).toBe(502);
    expect(statusOf(CtpErrorCode.InvalidClient)).toBe(500);
    expect(statusOf(CtpErrorCode.NoSessionContext)).toBe(500);
  });

  it('should answer an error of another copy of the library by its brand, and a code it does not know with 500', () => {
    const foreign = Object.assign(Object.create(null) as object, {
      [Symbol.for('ctp-client.CtpError')]: true,
      code: 'CTP_API_NOT_FOUND',
      message: SECRET,
    });
    expect(ctpErrorResponse(foreign)).toEqual({
      status: 404,
      body: { error: 'CTP_API_NOT_FOUND', message: 'Not found.' },
    });
    const newer = new CtpError('CTP_FROM_THE_FUTURE' as CtpErrorCode, SECRET);
    expect(ctpErrorResponse(newer)).toEqual({
      status: 500,
      body: { error: 'CTP_FROM_THE_FUTURE', message: expect.not.stringMatching(/secret/) },
    });
    const inherited = new CtpError('toString' as CtpErrorCode, SECRET);
    expect(ctpErrorResponse(inherited).status).toBe(500);
  });

  it('should keep the 4xx of a request a body parser refused (http-errors with expose), in its own words', () => {
    const parseFailed = Object.assign(new SyntaxError(`Unexpected token in JSON: ${SECRET}`), {
      status: 400,
      statusCode: 400,
      expose: true,
      type: 'entity.parse.failed',
    });
    expect(ctpErrorResponse(parseFailed)).toEqual({
      status: 400,
      body: { error: 'BAD_REQUEST', message: 'The request body is not valid JSON.' },
    });
    const tooLarge = Object.assign(new Error(SECRET), { status: 413, expose: true, type: 'entity.too.large' });
    expect(ctpErrorResponse(tooLarge)).toEqual({
      status: 413,
      body: { error: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' },
    });
    const other = Object.assign(new Error(SECRET), { statusCode: 416, expose: true });
    expect(ctpErrorResponse(other)).toEqual({
      status: 416,
      body: { error: 'CLIENT_ERROR', message: 'The request could not be served.' },
    });
  });

  it.each([
    ['a plain Error', new Error(SECRET)],
    [
      'an error with a status but no expose (an upstream SDK error)',
      Object.assign(new Error(SECRET), { statusCode: 404 }),
    ],
    ['an exposed 5xx', Object.assign(new Error(SECRET), { status: 503, expose: true })],
    ['an exposed status that is no integer', Object.assign(new Error(SECRET), { status: 400.5, expose: true })],
    ['a string', SECRET],
    ['undefined', undefined],
    ['null', null],
  ])('should answer %s with 500 INTERNAL and a generic text', (_name, error) => {
    expect(ctpErrorResponse(error)).toEqual({
      status: 500,
      body: { error: 'INTERNAL', message: 'Something went wrong. Please try again later.' },
    });
  });
});
