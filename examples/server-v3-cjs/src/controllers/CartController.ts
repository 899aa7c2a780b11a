import type { Response } from 'express';
import { inject } from 'inversify';
import { controller, httpGet, httpPost, requestBody, requestParam, response } from 'inversify-express-utils';
import { CtpError, CtpErrorCode } from 'ctp-client';
import { ExampleCartDatasource } from '../datasources/ExampleCartDatasource';
import { NewCartDatasource } from '../datasources/NewCartDatasource';

/** The shopper's carts, in the shopper's name: anonymous until the sign-in, then the customer's. */
@controller('/carts')
export class CartController {
  constructor(
    @inject(ExampleCartDatasource) private readonly carts: ExampleCartDatasource,
    @inject(NewCartDatasource) private readonly newCarts: NewCartDatasource,
  ) {}

  @httpPost('/')
  async create(@requestBody() body: { sku?: unknown; quantity?: unknown } | undefined, @response() res: Response) {
    const sku = body?.sku;
    const quantity = body?.quantity ?? 1;
    // A CtpError of code CTP_INVALID_ARGUMENT answers 400 through ctpErrorHandler, with the library's fixed text.
    if (typeof sku !== 'string' || sku === '')
      throw new CtpError(CtpErrorCode.InvalidArgument, 'Send a JSON body with a non-empty "sku".');
    if (!Number.isInteger(quantity) || (quantity as number) < 1)
      throw new CtpError(CtpErrorCode.InvalidArgument, '"quantity" must be a whole number from 1.');
    const cart = await this.newCarts.create(sku, quantity as number);
    res.status(201).json({ id: cart.id });
  }

  @httpGet('/:id')
  async findById(@requestParam('id') id: string) {
    const cart = await this.carts.findById(id);
    return { id: cart.id, customerId: cart.customerId ?? null, lineItems: cart.lineItems.length };
  }
}
