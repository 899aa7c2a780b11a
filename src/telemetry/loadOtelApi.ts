import { createRequire } from 'node:module';
import type { OtelApi } from './OtelApi';

/**
 * The app's `@opentelemetry/api`, when it is installed (an optional peer dependency), else undefined.
 * Loaded with require, synchronously, once per services: the API keeps its providers on globalThis,
 * so this copy sees the SDK the app registered, before or after, whichever module format it used.
 */
export function loadOtelApi(): OtelApi | undefined {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
  } catch {
    return undefined;
  }
}
