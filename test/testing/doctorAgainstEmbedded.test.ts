import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../src/config/loadCtpConfig';
import { runDoctor } from '../../src/doctor/runDoctor';
import {
  startEmbeddedCommercetools,
  type EmbeddedCommercetools,
} from '../../src/testing/embedded/startEmbeddedCommercetools';

let embedded: EmbeddedCommercetools;
beforeAll(async () => {
  embedded = await startEmbeddedCommercetools();
});
afterAll(() => embedded.stop());

describe('the doctor against the embedded commercetools', () => {
  describe('when the client secret is wrong', () => {
    it('should report every set as a problem, as against the platform', async () => {
      const report = await runDoctor({
        config: loadCtpConfig({ ...embedded.env, CTP_CLIENT_SECRET: 'not-the-secret' }),
      });
      const checked = report.sets.filter((s) => s.outcome !== 'skipped');
      expect(checked.length).toBeGreaterThan(0);
      expect(checked.every((s) => s.outcome === 'error' || s.outcome === 'refused')).toBe(true);
      expect(report.problems).toBeGreaterThanOrEqual(checked.length);
      expect(report.tokens.created).toBe(0);
    });
  });

  describe('when the configuration is right', () => {
    it('should find no problem and revoke every token it created', async () => {
      const report = await runDoctor({ config: loadCtpConfig(embedded.env), customer: embedded.customers[0]! });
      expect(report.sets.map((s) => [s.set, s.outcome])).toEqual([
        ['integration', 'ok'],
        ['guest', 'ok'],
        ['anonymous', 'ok'],
        ['customer', 'ok'],
        ['customerService', 'ok'],
      ]);
      expect(report.problems).toBe(0);
      expect(report.tokens.revoked).toBe(report.tokens.created);
    });
  });
});
