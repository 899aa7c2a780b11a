import { describe, expect, it } from 'vitest';
import { readCappedText } from '../../../src/auth/readCappedText';

const never = new AbortController().signal;

/** A body that yields `chunks` of `size` bytes and records how many were pulled and whether it was cancelled. */
function counted(chunks: number, size: number, headers: Record<string, string> = {}) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (seen.pulled === chunks) return controller.close();
        seen.pulled += 1;
        controller.enqueue(new Uint8Array(size).fill(0x61));
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { response: new Response(body, { headers }), seen };
}

describe(readCappedText, () => {
  describe('when the body is within the cap', () => {
    it('should return it as UTF-8 text', async () => {
      expect(await readCappedText(new Response('{"a":"é"}'), 100, never)).toEqual({ ok: true, text: '{"a":"é"}' });
      expect(await readCappedText(new Response(null), 100, never)).toEqual({ ok: true, text: '' });
    });

    it('should accept exactly the cap', async () => {
      const { response } = counted(4, 25);
      expect(await readCappedText(response, 100, never)).toEqual({ ok: true, text: 'a'.repeat(100) });
    });
  });

  describe('when Content-Length states exactly the cap or less', () => {
    it('should read the body and release its reader', async () => {
      const response = new Response('a'.repeat(100), { headers: { 'content-length': '100' } });
      expect(await readCappedText(response, 100, never)).toEqual({ ok: true, text: 'a'.repeat(100) });
      expect(response.body?.locked).toBe(false);
      const smaller = new Response('abc', { headers: { 'content-length': '3' } });
      expect(await readCappedText(smaller, 100, never)).toEqual({ ok: true, text: 'abc' });
    });
  });

  describe('when the decoded body streams past the cap', () => {
    it('should stop reading at the first chunk past it and cancel the stream', async () => {
      const { response, seen } = counted(1_000, 1024);
      expect(await readCappedText(response, 4096, never)).toEqual({ ok: false });
      expect(seen.pulled).toBe(5);
      expect(seen.cancelled).toBe(true);
    });
  });

  describe('when Content-Length states more than the cap', () => {
    it('should refuse before reading a byte', async () => {
      const { response, seen } = counted(1_000, 1024, { 'content-length': '1024000' });
      expect(await readCappedText(response, 4096, never)).toEqual({ ok: false });
      expect(seen.pulled).toBe(0);
    });

    it('should refuse a bodiless answer that states too much without throwing', async () => {
      const response = new Response(null, { headers: { 'content-length': '1024000' } });
      expect(await readCappedText(response, 4096, never)).toEqual({ ok: false });
    });
  });

  describe('when the signal aborts mid-body', () => {
    it('should reject with the abort reason instead of waiting for the stalled stream', async () => {
      const controller = new AbortController();
      const stalled = new Response(new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined) }));
      const reading = readCappedText(stalled, 100, controller.signal);
      controller.abort(new Error('deadline'));
      await expect(reading).rejects.toThrow('deadline');
    });
  });
});
