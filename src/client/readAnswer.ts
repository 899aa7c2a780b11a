/** The answer was larger than the cap; reading stopped there and its connection was closed. */
export class AnswerTooLargeError extends Error {
  override readonly name = 'AnswerTooLargeError';
}

const ignore = () => undefined;

/**
 * Reads a whole answer body, decompressed (fetch undoes gzip, deflate and br while it is read), and
 * stops past `limitBytes`: a gzip of 600 KB that inflates to 1 GB is cancelled after the cap, which
 * makes undici stop inflating and close the socket. A plain answer that states a Content-Length over
 * the cap is refused before a byte is read. `signal` aborting (the attempt's deadline, the caller)
 * ends the read too, also for a custom fetch whose body ignores it.
 *
 * @throws AnswerTooLargeError past the cap; the signal's reason when it aborts; the stream's error.
 */
export async function readAnswer(response: Response, limitBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (!response.headers.has('content-encoding') && declared > limitBytes) {
    await response.body?.cancel().catch(ignore);
    throw new AnswerTooLargeError(`The answer states ${declared} bytes, over the cap of ${limitBytes}`);
  }
  if (response.body === null) return new Uint8Array(0);
  // Already aborted (between the fetch's answer and this read): a listener added now would never run.
  if (signal.aborted) {
    await response.body.cancel(signal.reason).catch(ignore);
    throw signal.reason;
  }
  const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  // A pending read resolves as done when the reader is cancelled.
  const onAbort = () => void reader.cancel(signal.reason).catch(ignore);
  signal.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      total += value.byteLength;
      if (total > limitBytes) {
        chunks.length = 0;
        await reader.cancel().catch(ignore);
        throw new AnswerTooLargeError(`The answer was larger than the cap of ${limitBytes} bytes`);
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return Buffer.concat(chunks, total);
}
