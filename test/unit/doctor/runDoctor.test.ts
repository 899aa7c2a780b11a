import { describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../../src/config/loadCtpConfig';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { runDoctor } from '../../../src/doctor/runDoctor';
import { createMockCommercetools } from '../../../src/testing/mock/createMockCommercetools';

describe(runDoctor, () => {
  describe('when a check fails in a way no check expects, after tokens were created', () => {
    it('should still revoke every token it created, then fail', async () => {
      // The client lacks a scope, so the doctor probes scope by scope; the network dies on the third probe.
      const mock = createMockCommercetools({ clientScopes: ['view_project_settings', 'view_categories'] });
      let probes = 0;
      const fetch = async (input: string, init: RequestInit) => {
        const form = new URLSearchParams(typeof init.body === 'string' ? init.body : '');
        if (
          input.endsWith('/oauth/token') &&
          form.get('grant_type') === 'client_credentials' &&
          !form.get('scope')!.includes(' ')
        ) {
          probes += 1;
          if (probes === 3) throw new TypeError('fetch failed');
        }
        return mock.fetch(input, init);
      };
      const failure = await runDoctor({ config: loadCtpConfig(mock.env), fetch }).catch((e: unknown) => e);
      expect(failure).toMatchObject({ code: CtpErrorCode.AuthNetwork });
      const granted = mock.requests.filter(
        (r) =>
          r.path === '/oauth/token' &&
          r.form.get('grant_type') === 'client_credentials' &&
          !r.form.get('scope')!.includes(' '),
      );
      expect(granted.map((r) => r.form.get('scope'))).toEqual([
        'view_project_settings:test-project',
        'view_categories:test-project',
      ]);
      const revoked = mock.requests.filter((r) => r.path === '/oauth/token/revoke');
      expect(revoked).toHaveLength(2);
      expect(
        revoked.every(
          (r) => r.form.get('token_type_hint') === 'access_token' && r.form.get('token')!.startsWith('mock-access-'),
        ),
      ).toBe(true);
    });
  });

  describe('when every check runs', () => {
    it('should report each check as it starts and revoke the anonymous refresh tokens too', async () => {
      const mock = createMockCommercetools();
      const started: string[] = [];
      const report = await runDoctor({
        config: loadCtpConfig(mock.env),
        fetch: mock.fetch,
        onCheck: (set, flow) => started.push(`${set}:${flow}`),
      });
      expect(started).toEqual([
        'integration:client_credentials',
        'guest:anonymous',
        'anonymous:anonymous',
        'customerService:client_credentials',
      ]);
      expect(report.tokens).toEqual({ created: 6, revoked: 6, revokeFailed: 0 });
      expect(
        mock.requests.filter((r) => r.path === '/oauth/token/revoke').map((r) => r.form.get('token_type_hint')),
      ).toEqual(['access_token', 'access_token', 'refresh_token', 'access_token', 'refresh_token', 'access_token']);
    });
  });

  describe('when Checkout is configured', () => {
    it('should check the checkout set (manage_sessions alone) with a client-credentials grant, and leave it out otherwise', async () => {
      const mock = createMockCommercetools({ checkout: { applicationKey: 'web-checkout' } });
      const started: string[] = [];
      const report = await runDoctor({
        config: loadCtpConfig(mock.env),
        fetch: mock.fetch,
        onCheck: (set, flow) => started.push(`${set}:${flow}`),
      });
      expect(started).toContain('checkout:client_credentials');
      expect(report.sets.find((s) => s.set === 'checkout')).toMatchObject({
        outcome: 'ok',
        rows: [{ scope: 'manage_sessions:test-project', requested: true, granted: true }],
      });
      const lacking = createMockCommercetools({
        checkout: { applicationKey: 'web-checkout' },
        clientScopes: ['view_project_settings', 'view_categories', 'view_published_products', 'view_products'],
      });
      const refused = await runDoctor({ config: loadCtpConfig(lacking.env), fetch: lacking.fetch });
      expect(refused.sets.find((s) => s.set === 'checkout')?.outcome).not.toBe('ok');
      const plain = await runDoctor({ config: loadCtpConfig(createMockCommercetools().env), fetch: mock.fetch });
      expect(plain.sets.map((s) => s.set)).not.toContain('checkout');
    });
  });

  describe("when a shopper set reads or writes other shoppers' data", () => {
    it('should report the scopes, reads as well as writes, and count them as problems', async () => {
      const mock = createMockCommercetools();
      const report = await runDoctor({
        config: loadCtpConfig(mock.env),
        fetch: mock.fetch,
        scopeSets: {
          guest: ['view_categories', 'view_orders', 'create_anonymous_token'],
          anonymous: [
            'view_categories',
            'manage_my_orders',
            'view_customers',
            'manage_orders',
            'create_anonymous_token',
          ],
        },
      });
      expect(report.warnings).toEqual([
        expect.stringContaining('scope set "guest" holds scopes on other shoppers\' or shared data (view_orders)'),
        expect.stringContaining(
          'scope set "anonymous" holds scopes on other shoppers\' or shared data (view_customers, manage_orders)',
        ),
      ]);
      expect(report.problems).toBeGreaterThanOrEqual(2);
    });
  });
});
