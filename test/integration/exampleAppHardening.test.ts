import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCtpConfig, type CtpConfig } from 'ctp-client';
import { createApp, type ExampleAppOptions } from '../../examples/server-v3/app/createApp';
import { ShopperClient } from '../../examples/server-v3/journey/ShopperClient';
import {
  startEmbeddedCommercetools,
  type EmbeddedCommercetools,
} from '../../src/testing/embedded/startEmbeddedCommercetools';
import { CapturingLogger } from '../support/createTestServices';

// The example app's session and input handling, over real HTTP on 127.0.0.1.
const root = fileURLToPath(new URL('../..', import.meta.url));
let embedded: EmbeddedCommercetools;
const servers: Server[] = [];

beforeAll(async () => {
  embedded = await startEmbeddedCommercetools();
});
afterAll(async () => {
  for (const s of servers) s.close();
  await embedded.stop();
});

const configOf = (): CtpConfig =>
  createCtpConfig({
    projectKey: embedded.projectKey,
    clientId: embedded.clientId,
    clientSecret: embedded.clientSecret,
    authUrl: embedded.authUrl,
    apiUrl: embedded.apiUrl,
  });

async function serve(options: ExampleAppOptions = {}, config = configOf()): Promise<string> {
  const server = createApp(config, options).app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function setCookie(url: string, init: RequestInit): Promise<string | undefined> {
  return (await fetch(url, init)).headers.getSetCookie().find((c) => c.startsWith('sid='));
}

describe('the example app', () => {
  describe('POST /login', () => {
    it('should give the shopper a new session id and leave the old one signed out, with the anonymous cart moved', async () => {
      const baseUrl = await serve();
      const shopper = new ShopperClient(baseUrl);
      const cart = await shopper.request('POST', '/cart', { sku: embedded.seeded.skus[0], quantity: 1 });
      const planted = shopper.cookie('sid')!;
      expect((await shopper.request('POST', '/login', embedded.seeded.customer)).status).toBe(200);
      expect(shopper.cookie('sid')).not.toBe(planted);
      expect((await shopper.request('GET', '/me')).status).toBe(200);
      expect(((await shopper.request('GET', '/cart')).body as { id: string }).id).toBe(
        (cart.body as { id: string }).id,
      );
      // Whoever holds the id from before the sign-in (planted, or read off the wire) is nobody.
      const attacker = new ShopperClient(baseUrl, { sid: planted });
      expect((await attacker.request('GET', '/me')).status).toBe(401);
    });
  });

  describe('POST /logout', () => {
    it('should end the session id it was called with', async () => {
      const shopper = new ShopperClient(await serve());
      await shopper.request('POST', '/login', embedded.seeded.customer);
      const signedIn = shopper.cookie('sid')!;
      expect((await shopper.request('POST', '/logout')).status).toBe(204);
      const replay = new ShopperClient(shopper.baseUrl, { sid: signedIn });
      expect((await replay.request('GET', '/me')).status).toBe(401);
    });
  });

  describe('the session cookie', () => {
    const login = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(embedded?.seeded.customer ?? {}),
    };

    it('should be HttpOnly and SameSite=Lax, and not Secure over plain HTTP by default', async () => {
      const cookie = await setCookie(`${await serve()}/login`, {
        ...login,
        body: JSON.stringify(embedded.seeded.customer),
      });
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).not.toMatch(/; Secure/);
    });

    it('should be Secure when required, set only over TLS as the trusted proxy reports it', async () => {
      const baseUrl = await serve({ secureCookie: true, trustProxy: 1 });
      const body = JSON.stringify(embedded.seeded.customer);
      expect(
        await setCookie(`${baseUrl}/login`, {
          ...login,
          body,
          headers: { ...login.headers, 'x-forwarded-proto': 'https' },
        }),
      ).toMatch(/; Secure/);
      expect(await setCookie(`${baseUrl}/login`, { ...login, body })).toBeUndefined();
    });
  });

  describe('when a request body is missing or wrong', () => {
    it('should answer 400 with a JSON error naming the problem, never blaming commercetools', async () => {
      const baseUrl = await serve();
      const post = async (path: string, body?: string) => {
        const response = await fetch(`${baseUrl}${path}`, {
          method: 'POST',
          ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
        });
        return { status: response.status, body: await response.json() };
      };
      expect(await post('/cart')).toEqual({
        status: 400,
        body: {
          error: 'BAD_REQUEST',
          message: 'Send a JSON object with sku, quantity (content-type: application/json).',
        },
      });
      expect(await post('/cart', '{"sku": ')).toEqual({
        status: 400,
        body: { error: 'BAD_REQUEST', message: 'The request body is not valid JSON.' },
      });
      expect(await post('/cart', '{"sku": "SNEAKER-42", "quantity": 0}')).toEqual({
        status: 400,
        body: { error: 'BAD_REQUEST', message: 'quantity must be a whole number from 1 to 1000.' },
      });
      expect(await post('/login', '{"email": "a@example.com"}')).toEqual({
        status: 400,
        body: { error: 'BAD_REQUEST', message: 'password is required: a non-empty string.' },
      });
    });
  });

  describe('when a request fails with a 500', () => {
    it('should log it with its code and no secret', async () => {
      // An auth host that refuses the API client, as the platform does for a wrong secret.
      const refusing = createServer((_req, res) => {
        res.writeHead(401, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            statusCode: 401,
            error: 'invalid_client',
            message: 'Please provide valid client credentials.',
          }),
        );
      });
      servers.push(refusing);
      await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
      const logger = new CapturingLogger();
      const config = createCtpConfig({
        projectKey: embedded.projectKey,
        clientId: embedded.clientId,
        clientSecret: 'wrong-client-secret-for-the-log-test',
        authUrl: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`,
        apiUrl: embedded.apiUrl,
      });
      const baseUrl = await serve({ logger, retry: { maxRetries: 0 } }, config);
      const response = await fetch(`${baseUrl}/categories/${embedded.seeded.categoryIds[0]}`);
      expect(response.status).toBe(500);
      const failed = logger.lines.filter((e) => (e.obj as { event?: string }).event === 'example.request_failed');
      expect(failed).toEqual([
        expect.objectContaining({
          obj: expect.objectContaining({ method: 'GET', status: 500, code: 'CTP_INVALID_CLIENT' }),
        }),
      ]);
      expect(JSON.stringify(logger.lines)).not.toContain('wrong-client-secret-for-the-log-test');
    });
  });

  describe('npm start', () => {
    it('should refuse to start against a real project without SESSION_SECRET', async () => {
      const started = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/server-v3/start.ts'], {
        cwd: root,
        env: { PATH: process.env['PATH'] ?? '', CTP_PROJECT_KEY: 'real-project', PORT: '0' },
      }).catch((e: { code: number; stderr: string }) => e);
      expect((started as { code: number }).code).toBe(1);
      expect((started as { stderr: string }).stderr).toContain('CTP_PROJECT_KEY set but no SESSION_SECRET');
    });

    it("should stop, server and all, on SIGTERM sent to npm's own process", async () => {
      // --ignore-scripts skips prestart (the build; npm test has built dist/), not start itself.
      const npm = spawn('npm', ['start', '--silent', '--ignore-scripts'], {
        cwd: root,
        env: { ...process.env, PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        npm.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const found = output.match(/example app on (http:\/\/127\.0\.0\.1:\d+)/);
          if (found) resolve(found[1]!);
        });
        npm.once('exit', () => reject(new Error(`npm start exited early: ${output}`)));
      });
      expect((await fetch(`${url}/products`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
      npm.kill('SIGTERM');
      await exited;
      await expect(fetch(`${url}/products`)).rejects.toThrow();
    }, 120_000);
  });
});
