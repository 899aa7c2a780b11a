import { raceAbort } from '../util/raceAbort';

/** A token answer is under 1 KiB and a proxy's error page a few: a gzip bomb or endless stream is refused cheaply. */
export const MAX_AUTH_ANSWER_BYTES = 64 * 1024;

export type CappedText = { readonly ok: true; readonly text: string } | { readonly ok: false };

/**
 * Reads a body as UTF-8 text up to `limitBytes`: the wire size by Content-Length before reading a byte,
 * the decoded size (a 1 MB gzip inflating to 1 GB) by counting while streaming. Every read is raced
 * against `signal`, the caller's deadline, which bounds a stream that trickles.
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
