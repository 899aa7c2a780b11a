import { describe, expect, it } from 'vitest';
import type { SharedTokenProvider } from '../../../src/tokens/SharedTokenProvider';
import { CtpAccountError } from '../../../src/errors/CtpAccountError';
import { CtpApiError } from '../../../src/errors/CtpApiError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { HttpAccountBackend } from '../../../src/session/account/HttpAccountBackend';
import { countingIntegration } from './countingIntegration';

const API = 'https://api.example.test';
const PASSWORD = 'pw-Secret-123';
const NEW_PASSWORD = 'New-pw-456';
const DRAFT = { email: 'a@example.com', password: PASSWORD };

function backend(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const tokens = ['int-token-1', 'int-token-2'];
  const invalidated: string[] = [];
  const integration = {
    get: () => Promise.resolve({ accessToken: tokens[invalidated.length] ?? 'int-token-x' }),
    invalidate: (token: string) => void invalidated.push(token),
  } as unknown as SharedTokenProvider;
  const b = new HttpAccountBackend({
    apiUrl: API,
    projectKey: 'proj',
    timeoutMs: 1_000,
    integration,
    fetch:
      () =>
      async (url, init = {}) => {
        calls.push({ url, init });
        return answer(url, init);
      },
  });
  return { b, calls, invalidated };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe(HttpAccountBackend, () => {
  describe('.createCustomer', () => {
    it('should POST the draft as JSON with the integration bearer, refusing redirects', async () => {
      const { b, calls } = backend(() => json({ customer: { id: 'c-1' } }, 201));
      await expect(b.createCustomer({ email: 'a@example.com', password: PASSWORD }, 'store-1')).resolves.toEqual({
        customerId: 'c-1',
      });
      expect(calls).toHaveLength(1);
      expect(calls[0]!.url).toBe(`${API}/proj/in-store/key=store-1/customers`);
      expect(calls[0]!.init).toMatchObject({
        method: 'POST',
        redirect: 'manual',
        headers: {
          authorization: 'Bearer int-token-1',
          'content-type': 'application/json',
          accept: 'application/json',
        },
      });
      expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ email: 'a@example.com', password: PASSWORD });
    });

    describe('when the API answers a redirect', () => {
      it('should not follow it (the body holds the password) and raise CTP_REDIRECT_REFUSED', async () => {
        const { b, calls } = backend(
          () => new Response(null, { status: 307, headers: { location: 'https://evil.example/' } }),
        );
        await expect(b.createCustomer({ email: 'a@example.com', password: PASSWORD }, undefined)).rejects.toMatchObject(
          { code: CtpErrorCode.RedirectRefused },
        );
        expect(calls).toHaveLength(1);
      });
    });

    describe('when the integration token was revoked early (401)', () => {
      it('should renew it once in its own name and send again', async () => {
        let n = 0;
        const { b, calls, invalidated } = backend(() =>
          (n += 1) === 1 ? json({ statusCode: 401 }, 401) : json({ customer: { id: 'c-2' } }, 201),
        );
        await expect(b.createCustomer({ email: 'a@example.com', password: PASSWORD }, undefined)).resolves.toEqual({
          customerId: 'c-2',
        });
        expect(invalidated).toEqual(['int-token-1']);
        expect(calls.map((c) => (c.init.headers as Record<string, string>)['authorization'])).toEqual([
          'Bearer int-token-1',
          'Bearer int-token-2',
        ]);
      });
    });

    describe('when the integration token was replaced while the refused request was in flight', () => {
      it('should invalidate the token it sent, not the fresh one held now, and send again with the fresh one', async () => {
        const { integration, grants } = countingIntegration();
        const bearers: string[] = [];
        const b = new HttpAccountBackend({
          apiUrl: API,
          projectKey: 'proj',
          timeoutMs: 1_000,
          integration,
          fetch: () => async (_url, init) => {
            const bearer = (init.headers as Record<string, string>)['authorization']!;
            bearers.push(bearer);
            if (bearer !== 'Bearer token-1') return json({ customer: { id: 'c-3' } }, 201);
            // Meanwhile an API call got its own 401 for token-1 and its recovery got token-2.
            integration.invalidate('token-1');
            await integration.get();
            return json({ statusCode: 401 }, 401);
          },
        });
        await expect(b.createCustomer({ email: 'a@example.com', password: PASSWORD }, undefined)).resolves.toEqual({
          customerId: 'c-3',
        });
        expect(bearers).toEqual(['Bearer token-1', 'Bearer token-2']);
        // The fresh token-2 was kept, not thrown away for a third grant.
        expect(grants()).toBe(2);
      });
    });

    describe('when the network fails or the API errs with the password in its message', () => {
      it('should keep the password out of the message and of every field', async () => {
        const { b } = backend(() =>
          json({ statusCode: 500, message: `boom ${PASSWORD}`, errors: [{ code: `X${PASSWORD}` }] }, 500),
        );
        const error = await b
          .createCustomer({ email: 'a@example.com', password: PASSWORD }, undefined)
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ code: CtpErrorCode.ApiRequestFailed, status: 500 });
        expect(`${String((error as Error).message)} ${JSON.stringify(error)}`).not.toContain(PASSWORD);
        const down = backend(() => Promise.reject(new TypeError(`fetch failed for ${PASSWORD}`)));
        const network = await down.b
          .createCustomer({ email: 'a@example.com', password: PASSWORD }, undefined)
          .catch((e: unknown) => e);
        expect(`${String((network as Error).message)} ${JSON.stringify(network)}`).not.toContain(PASSWORD);
      });
    });

    describe('when the answer is larger than the cap', () => {
      it('should stop reading and raise CTP_ANSWER_TOO_LARGE', async () => {
        const { b } = backend(() => new Response('x'.repeat(2 * 1024 * 1024), { status: 201 }));
        await expect(b.createCustomer({ email: 'a@example.com', password: PASSWORD }, undefined)).rejects.toMatchObject(
          { code: CtpErrorCode.AnswerTooLarge },
        );
      });
    });
  });

  describe('.createPasswordToken', () => {
    it('should answer undefined for an unknown email (404) and the token for a known one', async () => {
      const { b, calls } = backend((_url, init) =>
        (init.body as string).includes('known')
          ? json({ customerId: 'c-1', value: 'tok-1', expiresAt: '2026-12-02T00:00:00.000Z' })
          : json({ statusCode: 404, errors: [{ code: 'ResourceNotFound' }] }, 404),
      );
      await expect(b.createPasswordToken('nobody@example.com', undefined)).resolves.toBeUndefined();
      await expect(b.createPasswordToken('known@example.com', undefined)).resolves.toEqual({
        customerId: 'c-1',
        value: 'tok-1',
        expiresAt: '2026-12-02T00:00:00.000Z',
      });
      expect(calls[1]!.url).toBe(`${API}/proj/customers/password-token`);
      expect(JSON.parse(calls[1]!.init.body as string)).toEqual({ email: 'known@example.com' });
    });
  });

  describe('answers the platform should not give', () => {
    const NOT_JSON = () => new Response('<html>ok</html>', { status: 200 });
    const token = (body: unknown) => json(body);

    it.each([
      ['sign-up (201 without customer)', (b: HttpAccountBackend) => b.createCustomer(DRAFT, undefined), json({}, 201)],
      ['sign-up (not JSON)', (b: HttpAccountBackend) => b.createCustomer(DRAFT, undefined), NOT_JSON()],
      ['reset (no id)', (b: HttpAccountBackend) => b.resetPassword('tok', PASSWORD, undefined), NOT_JSON()],
      ['confirmation (no id)', (b: HttpAccountBackend) => b.confirmEmail('tok', undefined), NOT_JSON()],
      [
        'reset token (not JSON)',
        (b: HttpAccountBackend) => b.createPasswordToken('a@example.com', undefined),
        NOT_JSON(),
      ],
      [
        'reset token (empty value)',
        (b: HttpAccountBackend) => b.createPasswordToken('a@example.com', undefined),
        token({ customerId: 'c', value: '', expiresAt: 'x' }),
      ],
      [
        'reset token (value too long)',
        (b: HttpAccountBackend) => b.createPasswordToken('a@example.com', undefined),
        token({ customerId: 'c', value: 'v'.repeat(257), expiresAt: 'x' }),
      ],
      [
        'reset token (number id)',
        (b: HttpAccountBackend) => b.createPasswordToken('a@example.com', undefined),
        token({ customerId: 7, value: 'v', expiresAt: 'x' }),
      ],
      [
        'reset token (no expiry)',
        (b: HttpAccountBackend) => b.createPasswordToken('a@example.com', undefined),
        token({ customerId: 'c', value: 'v' }),
      ],
      ['verification (customer not JSON)', (b: HttpAccountBackend) => b.createEmailToken('c-1', undefined), NOT_JSON()],
      [
        'password change (not JSON)',
        (b: HttpAccountBackend) => b.changeMyPassword('customer-token', PASSWORD, 'new-pw', undefined),
        NOT_JSON(),
      ],
    ])('%s: should raise CTP_API_REQUEST_FAILED, not a TypeError', async (_name, run, answer) => {
      const { b } = backend(() => answer.clone());
      const error = await run(b).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtpApiError);
      expect(error).toMatchObject({ code: CtpErrorCode.ApiRequestFailed });
      expect((error as Error).message).toContain('without the expected fields');
    });

    it('should take a token value of exactly 256 characters', async () => {
      const value = 'v'.repeat(256);
      const { b } = backend(() => json({ customerId: 'c', value, expiresAt: 'x' }, 201));
      await expect(b.createPasswordToken('a@example.com', undefined)).resolves.toEqual({
        customerId: 'c',
        value,
        expiresAt: 'x',
      });
    });
  });

  describe('.createCustomer answers', () => {
    it('should take a 200 like a 201', async () => {
      const { b } = backend(() => json({ customer: { id: 'c-200' } }, 200));
      await expect(b.createCustomer(DRAFT, undefined)).resolves.toEqual({ customerId: 'c-200' });
    });

    it.each([
      [
        'the email is taken among other errors',
        [
          { code: 'InvalidInput', field: 'x' },
          { code: 'DuplicateField', field: 'email' },
        ],
        CtpErrorCode.EmailTaken,
      ],
      ['another field is a duplicate', [{ code: 'DuplicateField', field: 'key' }], CtpErrorCode.CustomerDraftInvalid],
      ['the email is invalid', [{ code: 'InvalidInput', field: 'email' }], CtpErrorCode.CustomerDraftInvalid],
    ])('when %s, should raise the right code', async (_name, errors, code) => {
      const { b } = backend(() => json({ statusCode: 400, errors }, 400));
      await expect(b.createCustomer(DRAFT, undefined)).rejects.toMatchObject({ code, status: 400 });
    });

    it('should keep at most 20 field errors, code and field only, redacted', async () => {
      const errors = [
        { code: 42, field: 'email' },
        { code: `Bad${PASSWORD}` },
        { code: 'InvalidField', field: `x${PASSWORD}` },
        ...Array.from({ length: 30 }, () => ({ code: 'InvalidInput', field: 'lastName', value: PASSWORD })),
      ];
      const { b } = backend(() => json({ statusCode: 400, errors }, 400));
      const error = (await b.createCustomer(DRAFT, undefined).catch((e: unknown) => e)) as CtpAccountError;
      expect(error).toBeInstanceOf(CtpAccountError);
      expect(error.code).toBe(CtpErrorCode.CustomerDraftInvalid);
      expect(error.fieldErrors).toHaveLength(20);
      expect(error.fieldErrors.slice(0, 3)).toStrictEqual([
        { code: 'InvalidInput', field: 'email' },
        { code: 'Bad[redacted]' },
        { code: 'InvalidField', field: 'x[redacted]' },
      ]);
      expect(JSON.stringify(error)).not.toContain(PASSWORD);
    });

    it('should raise CTP_API_REQUEST_FAILED for any other status', async () => {
      const { b } = backend(() => json({ statusCode: 403, errors: [{ code: 'insufficient_scope' }] }, 403));
      await expect(b.createCustomer(DRAFT, undefined)).rejects.toMatchObject({
        code: CtpErrorCode.ApiRequestFailed,
        status: 403,
        apiCode: 'insufficient_scope',
      });
    });
  });

  describe('.changeMyPassword', () => {
    const change = (b: HttpAccountBackend) => b.changeMyPassword('customer-token', PASSWORD, NEW_PASSWORD, 'st');

    it("should read the version with GET /me and POST the change in the shopper's own name", async () => {
      const { b, calls, invalidated } = backend((url) =>
        url.endsWith('/me') ? json({ version: 4 }) : json({ email: 'a@example.com' }),
      );
      await expect(change(b)).resolves.toEqual({ email: 'a@example.com' });
      expect(calls.map((c) => [c.init.method, c.url])).toEqual([
        ['GET', `${API}/proj/in-store/key=st/me`],
        ['POST', `${API}/proj/in-store/key=st/me/password`],
      ]);
      expect(
        calls.every((c) => (c.init.headers as Record<string, string>)['authorization'] === 'Bearer customer-token'),
      ).toBe(true);
      expect(JSON.parse(calls[1]!.init.body as string)).toEqual({
        version: 4,
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
      });
      expect(invalidated).toEqual([]);
    });

    it('should send nothing more when GET /me fails, and redact both passwords from what it keeps', async () => {
      const { b, calls } = backend(() => json({ message: `no ${PASSWORD} ${NEW_PASSWORD}` }, 500));
      const error = await change(b).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: CtpErrorCode.ApiRequestFailed,
        status: 500,
        apiMessage: 'no [redacted] [redacted]',
      });
      expect(calls).toHaveLength(1);
    });

    it('should raise CTP_INVALID_CREDENTIALS with the status for a wrong current password', async () => {
      const { b } = backend((url) =>
        url.endsWith('/me') ? json({ version: 1 }) : json({ errors: [{ code: 'InvalidCurrentPassword' }] }, 400),
      );
      await expect(change(b)).rejects.toMatchObject({ code: CtpErrorCode.InvalidCredentials, status: 400 });
    });

    it('should send again with the current version at most twice more on a 409', async () => {
      const versions: unknown[] = [];
      const { b } = backend((url, init) => {
        if (url.endsWith('/me')) return json({ version: 1 });
        versions.push((JSON.parse(init.body as string) as { version: unknown }).version);
        return json({ errors: [{ code: 'ConcurrentModification', currentVersion: versions.length + 1 }] }, 409);
      });
      await expect(change(b)).rejects.toMatchObject({ code: CtpErrorCode.ApiRequestFailed, status: 409 });
      expect(versions).toEqual([1, 2, 3]);
    });

    it.each([
      ['a 409 without the current version', 409, [{ code: 'ConcurrentModification' }]],
      ['a 409 without errors', 409, []],
      ['another status with a current version', 400, [{ code: 'Other', currentVersion: 2 }]],
    ])('should not send again after %s', async (_name, status, errors) => {
      const { b, calls } = backend((url) => (url.endsWith('/me') ? json({ version: 1 }) : json({ errors }, status)));
      await expect(change(b)).rejects.toMatchObject({ code: CtpErrorCode.ApiRequestFailed, status });
      expect(calls).toHaveLength(2);
    });
  });

  describe('the reset and verification calls', () => {
    it.each([
      ['ResourceNotFound with a 400', json({ errors: [{ code: 'ResourceNotFound' }] }, 400)],
      ['a 404 without a body', new Response(null, { status: 404 })],
    ])('should answer undefined for an unknown email when the platform says %s', async (_name, answer) => {
      const { b } = backend(() => answer);
      await expect(b.createPasswordToken('a@example.com', undefined)).resolves.toBeUndefined();
    });

    it('should take a 201 token and raise CTP_API_REQUEST_FAILED for another failure', async () => {
      const ok = backend(() => json({ customerId: 'c', value: 'v', expiresAt: 'x' }, 201));
      await expect(ok.b.createPasswordToken('a@example.com', undefined)).resolves.toMatchObject({
        value: 'v',
      });
      expect(JSON.parse(ok.calls[0]!.init.body as string)).toStrictEqual({ email: 'a@example.com' });
      const down = backend(() => json({}, 500));
      await expect(down.b.createPasswordToken('a@example.com', undefined)).rejects.toMatchObject({ status: 500 });
    });

    it('should reset and confirm in the integration name, answering whose account it was', async () => {
      const { b, calls } = backend(() => json({ id: 'c-9' }));
      await expect(b.resetPassword('tok', NEW_PASSWORD, 'st')).resolves.toEqual({ customerId: 'c-9' });
      await expect(b.confirmEmail('tok', undefined)).resolves.toEqual({ customerId: 'c-9' });
      expect(calls.map((c) => c.url)).toEqual([
        `${API}/proj/in-store/key=st/customers/password/reset`,
        `${API}/proj/customers/email/confirm`,
      ]);
      expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ tokenValue: 'tok', newPassword: NEW_PASSWORD });
    });

    it.each([
      ['a 404', 404, 'Other'],
      ['ResourceNotFound', 400, 'ResourceNotFound'],
      ['the expired code', 400, undefined],
    ])('should raise CTP_ACCOUNT_TOKEN_INVALID for %s', async (_name, status, code) => {
      const reset = backend(() => json({ errors: [{ code: code ?? 'ExpiredCustomerPasswordToken' }] }, status));
      await expect(reset.b.resetPassword('tok', NEW_PASSWORD, undefined)).rejects.toMatchObject({
        code: CtpErrorCode.AccountTokenInvalid,
        status,
      });
      const confirm = backend(() => json({ errors: [{ code: code ?? 'ExpiredCustomerEmailToken' }] }, status));
      await expect(confirm.b.confirmEmail('tok', undefined)).rejects.toMatchObject({
        code: CtpErrorCode.AccountTokenInvalid,
        status,
      });
    });

    it('should raise CTP_API_REQUEST_FAILED, the token and password redacted, for another failure', async () => {
      const echo = () => json({ message: `bad tok-SECRET ${NEW_PASSWORD}`, errors: [{ code: 'Other' }] }, 400);
      const reset = backend(echo);
      await expect(reset.b.resetPassword('tok-SECRET', NEW_PASSWORD, undefined)).rejects.toMatchObject({
        code: CtpErrorCode.ApiRequestFailed,
        apiMessage: 'bad [redacted] [redacted]',
      });
      const confirm = backend(echo);
      await expect(confirm.b.confirmEmail('tok-SECRET', undefined)).rejects.toMatchObject({
        code: CtpErrorCode.ApiRequestFailed,
        apiMessage: `bad [redacted] ${NEW_PASSWORD}`,
      });
    });

    it('should read the customer before creating an email token, and stop when that fails', async () => {
      const ok = backend((url) =>
        url.endsWith('/c-1')
          ? json({ email: 'a@example.com' })
          : json({ customerId: 'c-1', value: 'v', expiresAt: 'x' }),
      );
      await expect(ok.b.createEmailToken('c-1', undefined)).resolves.toEqual({
        customerId: 'c-1',
        value: 'v',
        expiresAt: 'x',
        email: 'a@example.com',
      });
      expect(JSON.parse(ok.calls[1]!.init.body as string)).toEqual({ id: 'c-1', ttlMinutes: 1440 });
      const gone = backend(() => json({ errors: [{ code: 'ResourceNotFound' }] }, 404));
      await expect(gone.b.createEmailToken('c-1', undefined)).rejects.toMatchObject({ status: 404 });
      expect(gone.calls).toHaveLength(1);
    });
  });
});
