import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CtpError } from '../../../src/errors/CtpError';
import { CtpErrorCode } from '../../../src/errors/CtpErrorCode';
import { ctpErrorHandler } from '../../../src/http/ctpErrorHandler';

// The handler inside a real express app on 127.0.0.1: what Express does with it is the contract.
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

type CtpErrorHandlerOptions = NonNullable<Parameters<typeof ctpErrorHandler>[0]>;

async function serve(options?: CtpErrorHandlerOptions): Promise<string> {
  const app = express();
  app.use(express.json());
  app.get('/expired', () => {
    throw new CtpError(CtpErrorCode.SessionExpired, 'refresh token rt-secret-value was refused');
  });
  app.get('/async', async () => {
    await Promise.resolve();
    throw new CtpError(CtpErrorCode.ApiUnavailable, 'upstream said: internal detail');
  });
  app.get('/bug', () => {
    throw new TypeError('cannot read x of undefined at /srv/app.js:12');
  });
  app.post('/json', (req, res) => {
    res.json(req.body);
  });
  app.get('/streaming', (_req, res, next) => {
    res.status(200).write('partial');
    next(new CtpError(CtpErrorCode.ApiTimeout, 'late'));
  });
  app.use(ctpErrorHandler(options));
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const answer = async (response: Response) => ({
  status: response.status,
  type: response.headers.get('content-type'),
  body: await response.json(),
});

describe('ctpErrorHandler', () => {
  it('should answer a CtpError thrown by a route with its status and fixed text as JSON', async () => {
    const url = await serve();
    expect(await answer(await fetch(`${url}/expired`))).toEqual({
      status: 401,
      type: expect.stringMatching(/^application\/json/),
      body: { error: 'CTP_SESSION_EXPIRED', message: 'Your session has expired. Please sign in again.' },
    });
    expect((await answer(await fetch(`${url}/async`))).body).toEqual({
      error: 'CTP_API_UNAVAILABLE',
      message: 'commercetools is unavailable right now. Please try again.',
    });
  });

  it('should answer an unknown error with 500 INTERNAL and nothing of its message or stack', async () => {
    const url = await serve();
    const { status, body } = await answer(await fetch(`${url}/bug`));
    expect(status).toBe(500);
    expect(body).toEqual({ error: 'INTERNAL', message: 'Something went wrong. Please try again later.' });
  });

  it('should answer invalid JSON refused by express.json() with 400 BAD_REQUEST', async () => {
    const url = await serve();
    const response = await fetch(`${url}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a": ',
    });
    expect(await answer(response)).toMatchObject({
      status: 400,
      body: { error: 'BAD_REQUEST', message: 'The request body is not valid JSON.' },
    });
  });

  it('should hand every answered error, its status and the request to log', async () => {
    const log = vi.fn<NonNullable<CtpErrorHandlerOptions['log']>>();
    const url = await serve({ log });
    await fetch(`${url}/expired`);
    await fetch(`${url}/bug`);
    expect(
      log.mock.calls.map(([error, status, req]) => [(error as Error).name, status, (req as express.Request).path]),
    ).toEqual([
      ['CtpError', 401, '/expired'],
      ['TypeError', 500, '/bug'],
    ]);
  });

  it('should still answer when log throws', async () => {
    const url = await serve({
      log: () => {
        throw new Error('logger down');
      },
    });
    expect((await fetch(`${url}/expired`)).status).toBe(401);
  });

  it('should pass an error after the headers were sent on to express, which ends the response', async () => {
    const log = vi.fn();
    const url = await serve({ log });
    const response = await fetch(`${url}/streaming`);
    expect(response.status).toBe(200);
    // Express's own handler closes the connection mid-body: the partial answer is never completed.
    await expect(response.text()).rejects.toThrow();
    expect(log).not.toHaveBeenCalled();
  });
});
