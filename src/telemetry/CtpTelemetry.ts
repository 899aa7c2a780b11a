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

/** Marks the span failed with the error's stable code as `error.type`: never its message, which could quote a server. */
function recordError(span: OtelSpan, error: unknown): string {
  const type = error instanceof CtpError ? error.code : error instanceof Error ? error.name : 'unknown';
  span.setAttribute('error.type', type);
  span.setStatus({ code: SPAN_STATUS_ERROR, message: type });
  return type;
}

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
 * `getTracer('ctp-client', version)` / `getMeter(...)`, called where the work happens (the OAuth
 * client, the session, the API calls, the fleet coordinator), so an app that registers an SDK sees
 * them. The library starts no SDK: without one registered every call is a no-op. Built without an
 * API (telemetry: false, or the package not installed) it does nothing at all.
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
    this.grantDuration = meter?.createHistogram('ctp.auth.grant.duration', {
      unit: 's',
      description: 'Duration of token grants (client credentials, anonymous, password), retries included',
    });
    this.refreshDuration = meter?.createHistogram('ctp.auth.refresh.duration', {
      unit: 's',
      description: 'Duration of refresh-token grants, retries included',
    });
    this.sessionExpiries = meter?.createCounter('ctp.session.expiries', {
      description: 'Shopper sessions cleared because their refresh token was refused',
    });
    this.apiRetries = meter?.createCounter('ctp.api.retries', {
      description: 'API requests sent again after a transient failure',
    });
    this.recoveries = meter?.createCounter('ctp.api.invalid_token_recoveries', {
      description: 'API 401 invalid_token answers recovered by renewing the token once',
    });
  }

  /** Runs `fn` in an active span `name` (so the auth request's HTTP span nests under it), recording its duration in `histogram`. */
  span<T>(name: string, attributes: OtelAttributes, fn: () => Promise<T>, histogram?: OtelHistogram): Promise<T> {
    if (this.#tracer === undefined) return fn();
    return this.#tracer.startActiveSpan(name, { kind: SPAN_KIND_INTERNAL, attributes }, async (span) => {
      const start = performance.now();
      let outcome: OtelAttributes = attributes;
      try {
        return await fn();
      } catch (error) {
        outcome = { ...attributes, 'error.type': recordError(span, error) };
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
  apiCall<T>(call: ApiCallView, fn: () => Promise<T>): Promise<T> {
    if (this.#tracer === undefined) return fn();
    return this.#tracer.startActiveSpan(
      'ctp.api.call',
      {
        kind: SPAN_KIND_INTERNAL,
        attributes: {
          'url.template': call.uriTemplate,
          'http.request.method': call.method,
          'ctp.token.owner': ownerName(call),
          'ctp.correlation_id': call.correlationId,
        },
      },
      async (span) => {
        try {
          return await fn();
        } catch (error) {
          recordError(span, error);
          throw error;
        } finally {
          span.setAttribute('http.request.resend_count', call.retries);
          if (call.status > 0) span.setAttribute('http.response.status_code', call.status);
          span.end();
        }
      },
    );
  }
}

/** `customer` sessions are reported as `shopper`; the token owner never names the shopper. */
function ownerName(call: ApiCallView): string {
  return call.owner === 'customer' ? 'shopper' : call.owner;
}

/** Telemetry that does nothing: the default of every component that takes one. */
export const NO_TELEMETRY = new CtpTelemetry(undefined);
