import type { ApiCall } from '../client/ApiCall';
import { CtpError } from '../errors/CtpError';
import { CTP_CLIENT_VERSION } from '../util/userAgent';
import { SPAN_KIND_INTERNAL, SPAN_STATUS_ERROR, type OtelApi, type OtelAttributes, type OtelCounter, type OtelHistogram, type OtelSpan, type OtelTracer } from './OtelApi';

/** The error's stable code as `error.type`: never its message, which could quote a server. */
function errorType(error: unknown): string {
  if (error instanceof CtpError) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * Spans and metrics through the app's @opentelemetry/api (the library starts no SDK: without one
 * registered every call is a no-op). Span names: ctp.auth.grant, ctp.auth.refresh,
 * ctp.fleet.coordinate, ctp.session.login, ctp.session.logout, ctp.session.sign_up,
 * ctp.session.change_password, ctp.session.reset_password, ctp.api.call. Attributes never hold
 * a token, a secret, a customer or anonymous id.
 */
export class CtpTelemetry {
  readonly #tracer: OtelTracer;
  readonly grantDuration: OtelHistogram;
  readonly refreshDuration: OtelHistogram;
  readonly sessionExpiries: OtelCounter;
  readonly apiRetries: OtelCounter;
  readonly recoveries: OtelCounter;

  constructor(api: OtelApi) {
    this.#tracer = api.trace.getTracer('ctp-client', CTP_CLIENT_VERSION);
    const meter = api.metrics.getMeter('ctp-client', CTP_CLIENT_VERSION);
    this.grantDuration = meter.createHistogram('ctp.auth.grant.duration', { unit: 's', description: 'Duration of token grants (client credentials, anonymous, password), retries included' });
    this.refreshDuration = meter.createHistogram('ctp.auth.refresh.duration', { unit: 's', description: 'Duration of refresh-token grants, retries included' });
    this.sessionExpiries = meter.createCounter('ctp.session.expiries', { description: 'Shopper sessions cleared because their refresh token was refused' });
    this.apiRetries = meter.createCounter('ctp.api.retries', { description: 'API requests sent again after a transient failure' });
    this.recoveries = meter.createCounter('ctp.api.invalid_token_recoveries', { description: 'API 401 invalid_token answers recovered by renewing the token once' });
  }

  /** Runs `fn` in an active span `name` (so the auth request's HTTP span nests under it), recording its duration in `histogram`. */
  span<T>(name: string, attributes: OtelAttributes, fn: () => Promise<T>, histogram?: OtelHistogram): Promise<T> {
    return this.#tracer.startActiveSpan(name, { kind: SPAN_KIND_INTERNAL, attributes }, async (span) => {
      const start = performance.now();
      let outcome: OtelAttributes = attributes;
      try {
        return await fn();
      } catch (error) {
        const type = errorType(error);
        span.setAttribute('error.type', type);
        span.setStatus({ code: SPAN_STATUS_ERROR, message: type });
        outcome = { ...attributes, 'error.type': type };
        throw error;
      } finally {
        span.end();
        histogram?.record((performance.now() - start) / 1000, outcome);
      }
    });
  }

  /**
   * One API call: an INTERNAL span carrying what the HTTP instrumentation cannot know (URI
   * template, resends, whose token); the undici instrumentation's HTTP span nests under it, and no
   * second HTTP span is made.
   */
  apiCall<T>(call: ApiCall, fn: () => Promise<T>): Promise<T> {
    return this.#tracer.startActiveSpan(
      'ctp.api.call',
      { kind: SPAN_KIND_INTERNAL, attributes: { 'url.template': call.uriTemplate, 'http.request.method': call.method, 'ctp.token.owner': ownerName(call), 'ctp.correlation_id': call.correlationId } },
      (span) =>
        fn().then(
          (value) => {
            finish(span, call, undefined);
            return value;
          },
          (error: unknown) => {
            finish(span, call, error);
            throw error;
          },
        ),
    );
  }

  /** Counts the events that are metrics too (session expiries), from the library's own log events. */
  observe(event: object): void {
    if ((event as { event?: unknown }).event === 'ctp.session.expired') this.sessionExpiries.add(1);
  }
}

/** `customer` sessions are reported as `shopper`; the token owner never names the shopper. */
function ownerName(call: ApiCall): string {
  return call.owner === 'customer' ? 'shopper' : call.owner;
}

function finish(span: OtelSpan, call: ApiCall, error: unknown): void {
  span.setAttribute('http.request.resend_count', call.retries);
  if (call.status > 0) span.setAttribute('http.response.status_code', call.status);
  if (error !== undefined) {
    const type = errorType(error);
    span.setAttribute('error.type', type);
    span.setStatus({ code: SPAN_STATUS_ERROR, message: type });
  }
  span.end();
}
