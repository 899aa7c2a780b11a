import { connect, createServer, type Socket } from 'node:net';

export interface DeafeningProxy {
  /** redis://127.0.0.1:<port>: a client made from it, and the subscriber it duplicates, go through the proxy. */
  url: string;
  /** From now on, drops every message Redis pushes to a subscriber connection; the connection stays up and everything else passes. */
  deafen(): void;
  /** Passes everything again (the messages dropped meanwhile stay lost). */
  hear(): void;
  /** Messages dropped so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 (port 0) in front of a real redis-server, for a subscriber that silently
 * stops delivering: while deafened, it drops the pub/sub messages (`message`, `pmessage`,
 * `smessage` pushes) Redis sends to connections that subscribed, frame by frame, so that the stream
 * stays well-formed and replies to commands keep arriving. Other connections pass untouched.
 */
export async function startDeafeningProxy(redisPort: number): Promise<DeafeningProxy> {
  let deaf = false;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let subscriber = false;
    let pending = Buffer.alloc(0);
    client.on('data', (chunk) => {
      if (/subscribe/i.test(chunk.toString('latin1'))) subscriber = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = frameEnd(pending, 0);
        if (end < 0) break;
        const frame = pending.subarray(0, end);
        pending = pending.subarray(end);
        if (subscriber && deaf && isMessage(frame)) dropped += 1;
        else client.write(frame);
      }
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    deafen: () => void (deaf = true),
    hear: () => void (deaf = false),
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const MESSAGE = /^[*>][34]\r\n\$\d+\r\n(message|pmessage|smessage)\r\n/;

function isMessage(frame: Buffer): boolean {
  return MESSAGE.test(frame.subarray(0, 32).toString('latin1'));
}

/** The end of the RESP (2 or 3) value starting at `at` in `buffer`, or -1 while it is incomplete. */
function frameEnd(buffer: Buffer, at: number): number {
  const lineEnd = buffer.indexOf('\r\n', at);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buffer[at]!);
  const n = Number(buffer.subarray(at + 1, lineEnd).toString('latin1'));
  let next = lineEnd + 2;
  switch (type) {
    case '$':
    case '=':
    case '!':
      if (n < 0) return next;
      return buffer.length >= next + n + 2 ? next + n + 2 : -1;
    case '*':
    case '>':
    case '~':
    case '%':
    case '|': {
      if (n < 0) return next;
      const items = type === '%' || type === '|' ? 2 * n : n;
      for (let i = 0; i < items; i++) {
        next = frameEnd(buffer, next);
        if (next < 0) return -1;
      }
      // An attribute precedes the value it describes.
      return type === '|' ? frameEnd(buffer, next) : next;
    }
    default:
      // +simple, -error, :integer, _null, #boolean, ,double, (big number: one line.
      return next;
  }
}
