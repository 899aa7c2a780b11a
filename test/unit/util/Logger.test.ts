import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/util/Logger';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../../src/session/sessionContext';
import { createTestServices } from '../../support/createTestServices';
import { storedToken } from '../../support/session/storedToken';

describe('Logger', () => {
  it('should accept console as it is (pino has the same (obj, msg) shape)', () => {
    const logger: Logger = console;
    expect(typeof logger.info).toBe('function');
  });

  it('should log grant and refresh events with flow, scope set, duration and outcome, and no token', async () => {
    const { client, session, clock, logger } = createTestServices();
    await client.integrationApiRoot();
    const storage = new MemorySessionStorage();
    await runWithCtpSession(storage, () => session.ensureAnonymous());
    clock.advance(3_600_000);
    await runWithCtpSession(storage, () => client.customerApiRoot());
    expect(logger.events('ctp.grant')).toEqual([
      { event: 'ctp.grant', flow: 'client_credentials', scopeSet: 'integration', durationMs: 0, outcome: 'ok' },
      { event: 'ctp.grant', flow: 'anonymous', scopeSet: 'anonymous', durationMs: 0, outcome: 'ok' },
    ]);
    expect(logger.events('ctp.refresh')).toEqual([
      { event: 'ctp.refresh', flow: 'refresh_token', scopeSet: 'anonymous', durationMs: 0, outcome: 'ok' },
    ]);
    const token = await storedToken(storage);
    expect(logger.text()).not.toContain(token!.accessToken);
    expect(logger.text()).not.toContain(token!.refreshToken);
  });
});
