import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_ENGINE_NAMES, type ApiEngineName } from '../../../src/client/ApiEngine';
import { createCtpConfig } from '../../../src/config/createCtpConfig';
import { CtpApiError } from '../../../src/errors/CtpApiError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { createCtpServices } from '../../../src/module/createCtpServices';
import { AUTH_URL, CLIENT_ID, CLIENT_SECRET, FakePlatform, PROJECT } from '../../support/FakePlatform';

// Every answer is read by apiFetch within the cap and the deadline, whatever its Content-Length says.
// This server, on real TCP on 127.0.0.1, lies about Content-Length in both directions to show both hold.
const CAP = 4096;
const MiB = 1024 * 1024;
const ANSWER = '{"id":"c1","version":1}';

let server: Server;
let apiUrl: string;
/** Per connection: bytes written after the head, and whether it has closed. */
const connections: { sent: number; closed: boolean; socket: Socket }[] = [];
/** The connections that answered, by the id they were asked for (undici may open a spare one). */
const answered = new Map<string, { sent: number; closed: boolean }>();

/** What the server does with a request for /categories/<id>. */
function answer(socket: Socket, id: string, state: { sent: number }): void {
  if (id === 'longer') {
    // States the 23 bytes of ANSWER, then sends 64 MiB more, far past the cap, as fast as it is read.
    socket.write(head(ANSWER.length) + ANSWER);
    const junk = Buffer.alloc(MiB, 0x20);
    const push = (): void => {
      while (state.sent < 64 * MiB && !socket.destroyed) {
        state.sent += junk.length;
        if (!socket.write(junk)) return void socket.once('drain', push);
      }
    };
    return push();
  }
  if (id === 'shorter') {
    // States 1000 bytes, sends 23, then closes.
    socket.write(head(1000) + ANSWER);
    return void setImmediate(() => socket.end());
  }
  if (id === 'stalled') return void socket.write(head(1000) + ANSWER); // States 1000 bytes, sends 23, then nothing.
  // Any other: the answer, and the connection closed (no idle connection for the next test to meet).
  socket.end(head(ANSWER.length, 'connection: close\r\n') + ANSWER);
}

function head(length: number, extra = ''): string {
  return `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n${extra}\r\n`;
}

beforeAll(async () => {
  server = createServer((socket) => {
    const state = { sent: 0, closed: false, socket };
    connections.push(state);
    socket.on('error', () => undefined);
    socket.on('close', () => (state.closed = true));
    let request = '';
    socket.on('data', (data: Buffer) => {
      request += data.toString('latin1');
      const end = request.indexOf('\r\n\r\n');
      if (end < 0) return;
      const path = request.slice(0, end).split(' ')[1] ?? '';
      request = '';
      const id = path.split('/').pop() ?? '';
      answered.set(id, state);
      answer(socket, id, state);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  vi.useRealTimers();
  answered.clear();
});

afterAll(async () => {
  for (const c of connections) c.socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function services(engine: ApiEngineName) {
  const platform = new FakePlatform();
  const config = createCtpConfig({
    projectKey: PROJECT,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    authUrl: AUTH_URL,
    apiUrl,
  });
  return createCtpServices(config, {
    apiTimeoutMs: 1_000,
    api: { engine, maxAnswerBytes: CAP, retry: { maxRetries: 0 } },
    fetch: (input, init) => (input.startsWith(AUTH_URL) ? platform.fetch(input, init) : globalThis.fetch(input, init)),
  });
}

/** Waits, on real I/O turns, until `done()` holds; fails after 10 s of them (a loaded machine connects slowly). */
async function until(done: () => boolean, what: string): Promise<void> {
  const end = performance.now() + 10_000;
  while (performance.now() < end) {
    if (done()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(API_ENGINE_NAMES)('a success answer that lies about its length, on the %s engine', (engine) => {
  it('should hand on only the bytes its Content-Length states when the server sends more, and drop that connection', async () => {
    const s = services(engine);
    try {
      const apiRoot = await s.client.integrationApiRoot();
      const { body } = await apiRoot.categories().withId({ ID: 'longer' }).get().execute();
      expect(body).toEqual({ id: 'c1', version: 1 });
      // undici read the 64 MiB that followed as the start of a next answer, refused it and closed the socket.
      await until(() => answered.get('longer')!.closed, 'the connection to close');
      expect(answered.get('longer')!.sent).toBeLessThan(64 * MiB);
      const next = await apiRoot.categories().withId({ ID: 'c2' }).get().execute();
      expect(next.body.id).toBe('c1');
    } finally {
      await s.close();
    }
  });

  it('should fail with a CtpApiError, not hang, when the server closes before its Content-Length', async () => {
    const s = services(engine);
    try {
      const apiRoot = await s.client.integrationApiRoot();
      const error = await apiRoot
        .categories()
        .withId({ ID: 'shorter' })
        .get()
        .execute()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CtpApiError);
      expect(error).toMatchObject({ code: CtpErrorCode.ApiNetwork, status: 502, retries: 0 });
    } finally {
      await s.close();
    }
  });

  it("should end the engine's read of a stalled body at the deadline with CTP_API_TIMEOUT and close the connection", async () => {
    const s = services(engine);
    try {
      const apiRoot = await s.client.integrationApiRoot();
      vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      const pending = apiRoot
        .categories()
        .withId({ ID: 'stalled' })
        .get()
        .execute()
        .catch((e: unknown) => e);
      await until(() => answered.has('stalled'), 'the request at the server');
      // Past the head: the engine holds the answer and waits for the rest of its body.
      for (let i = 0; i < 50; i += 1) await tick();
      vi.advanceTimersByTime(1_100);
      expect(await pending).toMatchObject({ code: CtpErrorCode.ApiTimeout, status: 504 });
      await until(() => answered.get('stalled')!.closed, 'the connection to close');
    } finally {
      await s.close();
    }
  });

  it("should end the engine's read of a stalled body on close() with CTP_API_CANCELLED", async () => {
    const s = services(engine);
    const apiRoot = await s.client.integrationApiRoot();
    const pending = apiRoot
      .categories()
      .withId({ ID: 'stalled' })
      .get()
      .execute()
      .catch((e: unknown) => e);
    await until(() => answered.has('stalled'), 'the request at the server');

    for (let i = 0; i < 50; i += 1) await tick();
    await s.close();
    expect(await pending).toMatchObject({ code: CtpErrorCode.ApiCancelled, status: 499 });
    await until(() => answered.get('stalled')!.closed, 'the connection to close');
  });
});
