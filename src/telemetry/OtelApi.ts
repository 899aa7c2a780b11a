import { createRequire } from 'node:module';

/** The part of `@opentelemetry/api` 1.x the library uses, typed structurally: the package's types do not need it installed. */
export interface OtelAttributes {
  [key: string]: string | number | boolean | undefined;
}

export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}

export interface OtelTracer {
  startActiveSpan<T>(
    name: string,
    options: { kind?: number; attributes?: OtelAttributes },
    fn: (span: OtelSpan) => T,
  ): T;
}

export interface OtelHistogram {
  record(value: number, attributes?: OtelAttributes): void;
}

export interface OtelCounter {
  add(value: number, attributes?: OtelAttributes): void;
}

interface OtelMeter {
  createHistogram(name: string, options?: { description?: string; unit?: string }): OtelHistogram;
  createCounter(name: string, options?: { description?: string; unit?: string }): OtelCounter;
}

export interface OtelApi {
  trace: { getTracer(name: string, version?: string): OtelTracer };
  metrics: { getMeter(name: string, version?: string): OtelMeter };
}

/** SpanStatusCode.ERROR and SpanKind.INTERNAL of @opentelemetry/api 1.x (stable numbers). */
export const SPAN_STATUS_ERROR = 2;
export const SPAN_KIND_INTERNAL = 0;

/**
 * The app's `@opentelemetry/api` if installed (an optional peer), the default of `telemetry: { api }`.
 * Required synchronously: the API keeps its providers on globalThis, so this copy sees the SDK the
 * app registered, before or after, whichever module format it used.
 */
export function loadOtelApi(): OtelApi | undefined {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
  } catch {
    return undefined;
  }
}
