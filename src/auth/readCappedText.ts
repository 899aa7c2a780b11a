import { raceAbort } from '../util/raceAbort';

/**
 * Cap on an auth answer: a token answer is under 1 KiB (a commercetools one about 300 bytes) and an
 * OAuth error or a proxy's error page a few KiB; 64 KiB is far above any honest answer and small
 * enough that a hostile or broken one (a gzip bomb, an endless stream) costs nothing to refuse.
 */
export const MAX_AUTH_ANSWER_BYTES = 64 * 1024;

export type CappedText = { readonly ok: true; readonly text: string } | { readonly ok: false };

/**
 * Reads a body as UTF-8 text and stops at `limitBytes`. Both sizes are bounded: the wire size by
 * Content-Length when the server states it (checked before reading a byte), the decoded size (after
 * fetch undoes gzip/deflate/br) by counting while streaming, so a 1 MB gzip that inflates to 1 GB is
 * cancelled after 64 KiB. A compressed stream that inflates to almost nothing is bounded by the
 * caller's deadline, which `signal` carries: every read is raced against it.
 */
export async function readCappedText(response: Response, limitBytes: number, signal: AbortSignal): Promise<CappedText> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false };
  }
  if (response.body === null) return { ok: true, text: '' };
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await raceAbort(reader.read(), signal);
      if (done) break;
      total += value.byteLength;
      if (total > limitBytes) {
        // Cancelling the stream makes undici stop inflating and destroy the socket.
        await reader.cancel().catch(() => undefined);
        return { ok: false };
      }
      chunks.push(value);
    }
  } finally {
    // Throws on some Node 20 releases while a raced read is still pending; the signal aborts that read anyway.
    try {
      reader.releaseLock();
    } catch {
      /* nothing to release */
    }
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}
