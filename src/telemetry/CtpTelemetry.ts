import { CtpError } from '../errors/CtpError';
import { CTP_CLIENT_VERSION } from '../util/userAgent';
import {
  SPAN_KIND_INTERNAL,
  SPAN_STATUS_ERROR,
  type OtelApi,
  type OtelAttributes,
  type OtelCounter,
  type OtelHistogram,
  type OtelSpan,
  type OtelTracer,
} from './OtelApi';

/** What a span of an API call reads of the call. */
interface ApiCallView {
  readonly method: string;
  readonly uriTemplate: string;
  readonly owner: 'integration' | 'guest' | 'customer' | 'checkout' | 'customerService';
  readonly correlationId: string;
  readonly retries: number;
  /** The last answer's status, 0 when none came. */
  readonly status: number;
}

/**
 * Spans and metrics through @opentelemetry/api, as OpenTelemetry asks of libraries: from
 * `getTracer('ctp-client', version)` / `getMeter(...)` at the call sites, so an app that registers
 * an SDK sees them. The library starts no SDK; built without an API (telemetry: false, or the
 * package not installed) it does nothing at all.
 *
 * Span names: ctp.auth.grant, ctp.auth.refresh, ctp.fleet.coordinate, ctp.session.login,
 * ctp.session.logout, ctp.session.sign_up, ctp.session.change_password, ctp.session.reset_password,
 * ctp.api.call. Attributes never hold a token, a secret, a customer or anonymous id.
 */
export class CtpTelemetry {
  readonly #tracer: OtelTracer | undefined;
  readonly grantDuration: OtelHistogram | undefined;
  readonly refreshDuration: OtelHistogram | undefined;
  readonly sessionExpiries: OtelCounter | undefined;
  readonly apiRetries: OtelCounter | undefined;
  readonly recoveries: OtelCounter | undefined;

  constructor(api: OtelApi | undefined) {
    this.#tracer = api?.trace.getTracer('ctp-client', CTP_CLIENT_VERSION);
    const meter = api?.metrics.getMeter('ctp-client', CTP_CLIENT_VERSION);
    const seconds = (name: string, description: string) => meter?.createHistogram(name, { unit: 's', description });
    const counter = (name: string, description: string) => meter?.createCounter(name, { description });
    this.grantDuration = seconds(
      'ctp.auth.grant.duration',
      'Duration of token grants (client credentials, anonymous, password), retries included',
    );
    this.refreshDuration = seconds('ctp.auth.refresh.duration', 'Duration of refresh-token grants, retries included');
    this.sessionExpiries = counter(
      'ctp.session.expiries',
      'Shopper sessions cleared because their refresh token was refused',
    );
    this.apiRetries = counter('ctp.api.retries', 'API requests sent again after a transient failure');
    this.recoveries = counter(
      'ctp.api.invalid_token_recoveries',
      'API 401 invalid_token answers recovered by renewing the token once',
    );
  }

  /**
   * Runs `fn` in an active span `name` (so the auth request's HTTP span nests under it), recording its
   * duration in `histogram`; `atEnd` adds what is known only once `fn` settled.
   */
  span<T>(
    name: string,
    attributes: OtelAttributes,
    fn: () => Promise<T>,
    histogram?: OtelHistogram,
    atEnd?: (span: OtelSpan) => void,
  ): Promise<T> {
    if (this.#tracer === undefined) return fn();
    return this.#tracer.startActiveSpan(name, { kind: SPAN_KIND_INTERNAL, attributes }, async (span) => {
      const start = performance.now();
      let outcome: OtelAttributes = attributes;
      try {
        return await fn();
      } catch (error) {
        // The error's stable code, never its message, which could quote a server.
        const type = error instanceof CtpError ? error.code : error instanceof Error ? error.name : 'unknown';
        span.setAttribute('error.type', type);
        span.setStatus({ code: SPAN_STATUS_ERROR, message: type });
        outcome = { ...attributes, 'error.type': type };
        throw error;
      } finally {
        atEnd?.(span);
        span.end();
        histogram?.record((performance.now() - start) / 1000, outcome);
      }
    });
  }

  /**
   * One API call: an INTERNAL span carrying what the HTTP instrumentation cannot know (URI template,
   * resends, whose token); the undici instrumentation's HTTP span nests under it.
   */
  apiCall<T>(call: ApiCallView, fn: () => Promise<T>): Promise<T> {
    const attributes = {
      'url.template': call.uriTemplate,
      'http.request.method': call.method,
      // The token owner never names the shopper.
      'ctp.token.owner': call.owner === 'customer' ? 'shopper' : call.owner,
      'ctp.correlation_id': call.correlationId,
    };
    return this.span('ctp.api.call', attributes, fn, undefined, (span) => {
      span.setAttribute('http.request.resend_count', call.retries);
      if (call.status > 0) span.setAttribute('http.response.status_code', call.status);
    });
  }
}

/** Telemetry that does nothing: the default of every component that takes one. */
export const NO_TELEMETRY = new CtpTelemetry(undefined);
