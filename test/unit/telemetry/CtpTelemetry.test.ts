import * as otel from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { API_URL, CLIENT_SECRET, json } from '../../support/FakePlatform';
import { createTestServices } from '../../support/createTestServices';

const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });

beforeAll(() => {
  otel.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  otel.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
});

afterEach(() => {
  spans.reset();
});

/** The current value of every metric the library recorded, by name (sum for counters, count for histograms). */
async function metricValues(): Promise<Record<string, number>> {
  await reader.forceFlush();
  const values: Record<string, number> = {};
  for (const resource of metricExporter.getMetrics()) {
    for (const scope of resource.scopeMetrics) {
      if (scope.scope.name !== 'ctp-client') continue;
      for (const metric of scope.metrics) {
        let total = 0;
        for (const point of metric.dataPoints)
          total += typeof point.value === 'number' ? point.value : (point.value as { count: number }).count;
        values[metric.descriptor.name] = total;
      }
    }
  }
  metricExporter.reset();
  return values;
}

describe('CtpTelemetry', () => {
  describe('when telemetry.api is the OpenTelemetry API with an SDK registered', () => {
    it('should trace grants and API calls with the template, resends and owner, and count retries and recoveries', async () => {
      const { platform, client } = createTestServices({ telemetry: { api: otel } });
      const faults = [503];
      let refusals = 0;
      platform.on((call) => {
        if (!call.url.startsWith(API_URL)) return undefined;
        if (refusals > 0) {
          refusals -= 1;
          return json({ statusCode: 401, message: 'invalid_token', error: 'invalid_token' }, 401);
        }
        const status = faults.shift();
        return status === undefined ? undefined : json({ statusCode: status, message: 'busy' }, status);
      });
      const apiRoot = await client.integrationApiRoot();
      await apiRoot.categories().withId({ ID: 'cat-7' }).get().execute();
      refusals = 1;
      await apiRoot.categories().withId({ ID: 'cat-8' }).get().execute();

      const finished = spans.getFinishedSpans();
      const grants = finished.filter((s) => s.name === 'ctp.auth.grant');
      expect(grants.map((s) => s.attributes['ctp.grant_type'])).toEqual(['client_credentials', 'client_credentials']);
      const calls = finished.filter((s) => s.name === 'ctp.api.call');
      expect(calls).toHaveLength(2);
      expect(calls[0]!.kind).toBe(otel.SpanKind.INTERNAL);
      expect(calls[0]!.attributes).toMatchObject({
        'url.template': '/{projectKey}/categories/{ID}',
        'http.request.method': 'GET',
        'http.request.resend_count': 1,
        'http.response.status_code': 200,
        'ctp.token.owner': 'integration',
      });
      // No span is an HTTP client span: undici's instrumentation makes that one.
      expect(finished.every((s) => s.kind !== otel.SpanKind.CLIENT)).toBe(true);
      const shown = JSON.stringify(finished.map((s) => s.attributes));
      expect(shown).not.toContain('cat-7');
      expect(shown).not.toContain(CLIENT_SECRET);
      expect(shown).not.toMatch(/access-client/);

      const values = await metricValues();
      expect(values['ctp.api.retries']).toBe(1);
      expect(values['ctp.api.invalid_token_recoveries']).toBe(1);
      expect(values['ctp.auth.grant.duration']).toBe(2);
    });

    it('should mark a failed API call with its code as error.type', async () => {
      const { platform, client } = createTestServices({ telemetry: { api: otel } });
      platform.on((call) =>
        call.url.startsWith(API_URL)
          ? json({ statusCode: 404, message: 'x', errors: [{ code: 'ResourceNotFound' }] }, 404)
          : undefined,
      );
      const apiRoot = await client.integrationApiRoot();
      await apiRoot
        .categories()
        .withId({ ID: 'gone' })
        .get()
        .execute()
        .catch(() => undefined);
      const [call] = spans.getFinishedSpans().filter((s) => s.name === 'ctp.api.call');
      expect(call?.attributes['error.type']).toBe('CTP_API_NOT_FOUND');
      expect(call?.status.code).toBe(otel.SpanStatusCode.ERROR);
    });

    it('should trace sign-in and sign-out as a shopper, with no customer id, email or password in any attribute', async () => {
      const { client, session } = createTestServices({ telemetry: { api: otel } });
      const storage = new MemorySessionStorage();
      await runWithCtpSession(storage, async () => {
        await session.login('alice@example.com', 'alice-Passw0rd!');
        const apiRoot = await client.customerApiRoot();
        await apiRoot
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        await session.logout();
      });
      const finished = spans.getFinishedSpans();
      const names = finished.map((s) => s.name);
      expect(names).toContain('ctp.session.login');
      expect(names).toContain('ctp.session.logout');
      expect(finished.find((s) => s.name === 'ctp.api.call')?.attributes['ctp.token.owner']).toBe('shopper');
      const shown = JSON.stringify(finished.map((s) => s.attributes));
      for (const secret of ['alice@example.com', 'alice-Passw0rd!', 'customer-alice'])
        expect(shown).not.toContain(secret);
    });
  });

  describe('with the account operations', () => {
    it('should trace sign-up and a password change as spans of their own, with nothing from the draft or the passwords', async () => {
      const services = createTestServices({ telemetry: { api: otel } });
      const storage = new MemorySessionStorage('s');
      await runWithCtpSession(storage, async () => {
        await services.client.customerApiRoot();
        await services.session.signUp({ email: 'dora@example.com', password: 'dora-Passw0rd!', firstName: 'Dora' });
        await services.session.changePassword('dora-Passw0rd!', 'dora-NEW-passw0rd!');
      });
      const finished = spans.getFinishedSpans();
      const signUp = finished.find((s) => s.name === 'ctp.session.sign_up');
      const change = finished.find((s) => s.name === 'ctp.session.change_password');
      expect(signUp).toBeDefined();
      expect(change).toBeDefined();
      // Each signs in with a password grant of its own.
      const grants = finished.filter(
        (s) => s.name === 'ctp.auth.grant' && s.attributes['ctp.grant_type'] === 'password',
      );
      expect(grants).toHaveLength(2);
      const shown = JSON.stringify(finished.map((s) => s.attributes));
      for (const secret of ['dora@example.com', 'dora-Passw0rd!', 'dora-NEW-passw0rd!', 'Dora'])
        expect(shown).not.toContain(secret);
    });
  });

  describe('when the app registered an SDK and set no option (OpenTelemetry conventions for libraries)', () => {
    it('should trace grants, API calls and sign-in from the installed @opentelemetry/api, replacing no method of a live object', async () => {
      const { client, session, oauth } = createTestServices();
      await runWithCtpSession(new MemorySessionStorage(), async () => {
        await session.login('alice@example.com', 'alice-Passw0rd!');
        const apiRoot = await client.customerApiRoot();
        await apiRoot
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
      });
      const names = spans.getFinishedSpans().map((s) => s.name);
      expect(names).toContain('ctp.auth.grant');
      expect(names).toContain('ctp.session.login');
      expect(names).toContain('ctp.api.call');
      // Spans come from the call sites: the instances keep their classes' own methods.
      for (const name of ['login', 'logout', 'signUp', 'changePassword', 'resetPassword'])
        expect(Object.hasOwn(session, name)).toBe(false);
      for (const name of ['clientCredentials', 'anonymous', 'password', 'refresh'])
        expect(Object.hasOwn(oauth, name)).toBe(false);
    });
  });

  describe('when telemetry is false', () => {
    it('should make no span and record no metric', async () => {
      const before = await metricValues();
      const { client } = createTestServices({ telemetry: false });
      const apiRoot = await client.integrationApiRoot();
      await apiRoot.categories().withId({ ID: 'cat-7' }).get().execute();
      expect(spans.getFinishedSpans()).toEqual([]);
      // Cumulative metrics: what the earlier tests recorded, and nothing more.
      expect(await metricValues()).toEqual(before);
    });
  });

  describe('when telemetry.api is not the OpenTelemetry API', () => {
    it('should refuse it at start-up with CTP_CONFIG_INVALID', () => {
      expect(() => createTestServices({ telemetry: { api: {} as never } })).toThrow(
        expect.objectContaining({ code: 'CTP_CONFIG_INVALID' }),
      );
    });
  });
});
