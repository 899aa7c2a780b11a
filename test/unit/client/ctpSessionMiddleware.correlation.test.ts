import { describe, expect, it } from 'vitest';
import { currentCorrelationId } from '../../../src/util/apiCallContext';
import { ctpSessionMiddleware } from '../../../src/session/ctpSessionMiddleware';
import { MemorySessionStorage } from '../../../src/session/MemorySessionStorage';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Runs the middleware on a fake request and response; returns what `next` saw. */
function run(headers: Record<string, string | string[] | undefined>) {
  const req: { session: object; headers: typeof headers; ctpCorrelationId?: string } = { session: {}, headers };
  const sent: Record<string, string> = {};
  const res = { setHeader: (name: string, value: string) => void (sent[name] = value) };
  let inside: string | undefined;
  ctpSessionMiddleware()(req, res, () => {
    inside = currentCorrelationId();
  });
  return { req, sent, inside };
}

describe('ctpSessionMiddleware', () => {
  describe('when the request carries a valid X-Correlation-ID', () => {
    it('should take it for the request, expose it on req and in the context, and echo it', () => {
      const { req, sent, inside } = run({ 'x-correlation-id': 'edge-proxy_0123456789' });
      expect(inside).toBe('edge-proxy_0123456789');
      expect(req.ctpCorrelationId).toBe('edge-proxy_0123456789');
      expect(sent['X-Correlation-ID']).toBe('edge-proxy_0123456789');
    });
  });

  describe('when the incoming ID is invalid or missing', () => {
    it.each([['short'], ['has space in it'], ['x'.repeat(257)], ['newline\r\nX-Evil: 1'], ['ünïcödé-chars']])(
      'should replace %j with a fresh one',
      (incoming) => {
        const { inside, req } = run({ 'x-correlation-id': incoming });
        expect(inside).toMatch(UUID);
        expect(req.ctpCorrelationId).toBe(inside);
      },
    );

    it('should generate one per request when none is sent, and none outside a request', () => {
      const first = run({}).inside;
      const second = run({}).inside;
      expect(first).toMatch(UUID);
      expect(second).not.toBe(first);
      expect(currentCorrelationId()).toBeUndefined();
    });

    it('should ignore a repeated header (an array)', () => {
      expect(run({ 'x-correlation-id': ['abcdefgh1', 'abcdefgh2'] }).inside).toMatch(UUID);
    });
  });

  describe('with a custom storage', () => {
    it('should still set the correlation ID', () => {
      const req: { session?: object; headers: Record<string, string> } = {
        headers: { 'x-correlation-id': 'custom-storage-1' },
      };
      let inside: string | undefined;
      ctpSessionMiddleware<typeof req>({ storage: () => new MemorySessionStorage() })(
        req,
        undefined,
        () => (inside = currentCorrelationId()),
      );
      expect(inside).toBe('custom-storage-1');
    });
  });
});
