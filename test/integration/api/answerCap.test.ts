import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ENGINE_NAMES } from '../../../src/client/ApiEngine';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { CtpApiError } from '../../../src/errors/CtpApiError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { AUTH_URL, CLIENT_ID, CLIENT_SECRET, FakePlatform, PROJECT } from '../../support/FakePlatform';

// Oversized API answers over real HTTP on 127.0.0.1, on both engines, with the default cap
// (64 MiB): a gzip answer that inflates to 520 MiB (as a success and as an error) and a plain
// 300 MiB answer without Content-Length. Each answer is generated as it is sent (never held in
// memory); the process's RSS is sampled while the call runs.
const MiB = 1024 * 1024;

/** `mib` MiB of `byte`, one MiB at a time, as the reader asks for it. */
function bytes(mib: number, byte: number): Readable {
  const chunk = Buffer.alloc(MiB, byte);
  let left = mib;
  return new Readable({
    read() {
      this.push(left-- > 0 ? chunk : null);
    },
  });
}

let server: Server;
let apiUrl: string;
const sockets = new Set<Socket>();
/** Answers the server is still sending. */
let busy = 0;
/** Answers that ended before their last byte: the client closed the connection. */
let cutOff = 0;

function stream(res: ServerResponse, status: number, body: Readable, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  busy += 1;
  body.pipe(res);
  res.on('close', () => {
    busy -= 1;
    if (!res.writableFinished) cutOff += 1;
    body.destroy();
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    // 520 MiB of '{' compressed by gzip level 1 as it is sent: about 2 MiB on the wire.
    if (path.endsWith('/categories/gzip-bomb'))
      return stream(res, 200, bytes(520, 0x7b).pipe(createGzip({ level: 1 })), { 'content-encoding': 'gzip' });
    if (path.endsWith('/categories/gzip-bomb-error'))
      return stream(res, 400, bytes(520, 0x7b).pipe(createGzip({ level: 1 })), { 'content-encoding': 'gzip' });
    // 300 MiB of plain bytes, chunked: the size is known only by reading.
    if (path.endsWith('/categories/plain-300')) return stream(res, 200, bytes(300, 0x20), {});
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ id: path.split('/').pop(), version: 1 }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

/** Services whose auth is the in-process fake and whose API is the server above. */
function services(engine: (typeof API_ENGINE_NAMES)[number]) {
  const platform = new FakePlatform();
  const config = createCtpConfig({
    projectKey: PROJECT,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    authUrl: AUTH_URL,
    apiUrl,
  });
  return createCtpServices(config, {
    api: { engine },
    fetch: (input, init) => (input.startsWith(AUTH_URL) ? platform.fetch(input, init) : globalThis.fetch(input, init)),
  });
}

/** The call's outcome and how far the process's RSS rose above where it was before, sampled every turn. */
async function measured(call: () => Promise<unknown>): Promise<{ outcome: unknown; growthMiB: number }> {
  global.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  let done = false;
  const outcome = call().then(
    (value) => value,
    (error: unknown) => error,
  );
  void outcome.finally(() => (done = true));
  while (!done) {
    peak = Math.max(peak, process.memoryUsage.rss());
    await tick();
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  return { outcome: await outcome, growthMiB: (peak - before) / MiB };
}

async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000; i += 1) {
    if (done()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(API_ENGINE_NAMES)('oversized API answers over real HTTP on the %s engine', (engine) => {
  it.each([
    ['a gzip success answer inflating past 512 MiB', 'gzip-bomb', 520],
    ['a gzip error answer inflating past 512 MiB', 'gzip-bomb-error', 520],
    ['a plain 300 MiB answer without Content-Length', 'plain-300', 300],
  ])(
    'should fail %s with CTP_API_ANSWER_TOO_LARGE at the 64 MiB cap, close its connection, keep RSS bounded, and answer the next call',
    async (_what, id, answerMiB) => {
      const s = services(engine);
      try {
        const apiRoot = await s.client.integrationApiRoot();
        const cutBefore = cutOff;
        const { outcome, growthMiB } = await measured(() => apiRoot.categories().withId({ ID: id }).get().execute());
        expect(outcome).toBeInstanceOf(CtpApiError);
        expect(outcome).toMatchObject({
          code: CtpErrorCode.ApiAnswerTooLarge,
          status: 502,
          retries: 0,
          method: 'GET',
          uriTemplate: '/{projectKey}/categories/{ID}',
        });
        expect((outcome as Error).message).toContain('api.maxAnswerBytes');
        // What was read stops at the cap (64 MiB held at most, then dropped): far below the answer.
        expect(growthMiB).toBeLessThan(Math.min(160, answerMiB / 2));
        // No answer is left in flight. The plain one was cut off (the connection closed, not
        // drained); the gzip one, about 2 MiB on the wire, may have been sent whole before the cap.
        await until(() => busy === 0, 'the answer to end');
        if (id === 'plain-300') expect(cutOff).toBe(cutBefore + 1);
        const { body } = await apiRoot.categories().withId({ ID: 'c1' }).get().execute();
        expect(body.id).toBe('c1');
      } finally {
        await s.close();
      }
    },
    60_000,
  );
});
