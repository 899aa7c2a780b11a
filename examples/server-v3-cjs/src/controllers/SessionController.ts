import type { Request, Response } from 'express';
import { inject } from 'inversify';
import { controller, httpDelete, httpGet, httpPost, request, requestBody, response } from 'inversify-express-utils';
import { CtpError, CtpErrorCode, regenerateSession, type CtpSession } from 'ctp-client';

/** Sign-in and sign-out, each with a new session id: regenerateSession carries the shopper's token. */
@controller('/session')
export class SessionController {
  constructor(@inject('CtpSession') private readonly ctpSession: CtpSession) {}

  @httpGet('/')
  async current() {
    const token = await this.ctpSession.current();
    return { kind: token?.kind ?? null, customerId: token?.customerId ?? null };
  }

  @httpPost('/')
  async login(@request() req: Request, @requestBody() body: { email?: unknown; password?: unknown } | undefined) {
    const { email, password } = body ?? {};
    if (typeof email !== 'string' || typeof password !== 'string')
      throw new CtpError(CtpErrorCode.InvalidArgument, 'Send a JSON body with "email" and "password".');
    // A new session id first (an id planted before the sign-in names nothing after it); the anonymous
    // token goes along, so login() moves the anonymous cart to the customer.
    await regenerateSession(req);
    const token = await this.ctpSession.login(email, password);
    return { customerId: token.customerId };
  }

  @httpDelete('/')
  async logout(@request() req: Request, @response() res: Response) {
    await this.ctpSession.logout();
    await regenerateSession(req);
    res.status(204).end();
  }
}
