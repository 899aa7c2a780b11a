import { createCtpConfig } from '../../src/config/createCtpConfig';
import type { CtpModuleOptions } from '../../src/module/CtpModuleOptions';
import type { MockCommercetoolsOptions } from '../../src/testing/mock/createMockCommercetools';
import { wireCtpServices as createCtpServices } from '../../src/module/createCtpServices';
import type { Logger } from '../../src/util/Logger';
import { API_URL, AUTH_URL, CLIENT_ID, CLIENT_SECRET, FakePlatform, PROJECT } from './FakePlatform';

export class ManualClock {
  constructor(public time = Date.UTC(2026, 10, 22)) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** A logger that keeps every line, to assert events and that no secret is in any of them. */
export class CapturingLogger implements Logger {
  readonly lines: { level: string; obj: object; msg?: string | undefined }[] = [];
  debug(obj: object, msg?: string): void {
    this.lines.push({ level: 'debug', obj, msg });
  }
  info(obj: object, msg?: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.lines.push({ level: 'error', obj, msg });
  }
  text(): string {
    return this.lines.map((l) => `${JSON.stringify(l.obj)} ${l.msg ?? ''}`).join('\n');
  }
  events(name: string): object[] {
    return this.lines.filter((l) => (l.obj as { event?: string }).event === name).map((l) => l.obj);
  }
}

export const testConfig = () =>
  createCtpConfig({
    projectKey: PROJECT,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    authUrl: AUTH_URL,
    apiUrl: API_URL,
  });

/** The library's services on the commercetools kit (FakePlatform), both on one manual clock. */
export function createTestServices(options: CtpModuleOptions = {}, platformOptions: MockCommercetoolsOptions = {}) {
  const clock = new ManualClock();
  const platform = new FakePlatform({ now: () => clock.now(), ...platformOptions });
  const logger = new CapturingLogger();
  const services = createCtpServices(testConfig(), {
    fetch: platform.fetch,
    clock,
    logger,
    sleep: async () => undefined,
    random: () => 0.5,
    ...options,
  });
  return { platform, clock, logger, ...services };
}
