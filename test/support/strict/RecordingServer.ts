import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A second origin on 127.0.0.1 that records every request it gets: where a redirect must never
 * lead. With `hang` it never answers, and `heldRequests` shows whether the client let go of each
 * request's socket at its deadline (undici may then open a fresh idle connection: not a held request).
 */
export class RecordingServer {
  readonly requests: { method: string; path: string; body: string; authorization?: string }[] = [];
  url = '';
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #hung = new Set<ServerResponse>();

  constructor(private readonly options: { hang?: boolean } = {}) {}

  /** Connections the client still holds open to this server, idle ones included. */
  get openConnections(): number {
    return this.#sockets.size;
  }

  /** Unanswered requests whose connection the client has not closed. */
  get heldRequests(): number {
    return this.#hung.size;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        this.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          body,
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        });
        if (this.options.hang) {
          this.#hung.add(res);
          res.on('close', () => this.#hung.delete(res));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'stolen-session', token_type: 'Bearer', expires_in: 3600, scope: 'x' }));
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.#hung) res.destroy();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}
