import { describe, expect, it } from 'vitest';
import type { SharedTokenProvider } from '../../../src/tokens/SharedTokenProvider';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { HttpAccountBackend } from '../../../src/session/account/HttpAccountBackend';
import { countingIntegration } from './countingIntegration';

const API = 'https://api.example.test';
const PASSWORD = 'pw-Secret-123';

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
      await expect(b.createPasswordToken('nobody@example.com', undefined, undefined)).resolves.toBeUndefined();
      await expect(b.createPasswordToken('known@example.com', undefined, 30)).resolves.toEqual({
        customerId: 'c-1',
        value: 'tok-1',
        expiresAt: '2026-12-02T00:00:00.000Z',
      });
      expect(calls[1]!.url).toBe(`${API}/proj/customers/password-token`);
      expect(JSON.parse(calls[1]!.init.body as string)).toEqual({ email: 'known@example.com', ttlMinutes: 30 });
    });
  });
});
