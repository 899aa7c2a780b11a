/** Thrown for a request body that is missing a field or has one of the wrong type: answered 400. */
export class BadRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequestError';
  }
}

/**
 * Answers a BadRequestError with 400 and its own message (this app's text, naming the field); every
 * other error goes on to ctpErrorHandler. Install it before that.
 */
export function badRequestHandler(
  error: unknown,
  _req: unknown,
  res: { status(code: number): { json(body: unknown): unknown } },
  next: (error?: unknown) => void,
): void {
  if (!(error instanceof BadRequestError)) {
    next(error);
    return;
  }
  res.status(400).json({ error: 'BAD_REQUEST', message: error.message });
}

type FieldType = 'string' | 'quantity' | 'quantity?';
type Read<S extends Record<string, FieldType>> = {
  [K in keyof S as S[K] extends `${string}?` ? never : K]: S[K] extends 'string' ? string : number;
} & {
  [K in keyof S as S[K] extends `${string}?` ? K : never]?: number;
};

/**
 * Checks a JSON body against a small schema: `string` (non-empty), `quantity` (a whole number from
 * 1 to 1000), `?` for optional. express.json() leaves `req.body` undefined when there is no body.
 */
export function readBody<S extends Record<string, FieldType>>(body: unknown, schema: S): Read<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError(
      `Send a JSON object with ${Object.keys(schema).join(', ')} (content-type: application/json).`,
    );
  }
  const fields = body as Record<string, unknown>;
  for (const [name, type] of Object.entries(schema)) {
    const value = fields[name];
    if (value === undefined && type.endsWith('?')) continue;
    if (type === 'string' && (typeof value !== 'string' || value === ''))
      throw new BadRequestError(`${name} is required: a non-empty string.`);
    if (
      type.startsWith('quantity') &&
      !(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1000)
    ) {
      throw new BadRequestError(`${name} must be a whole number from 1 to 1000.`);
    }
  }
  return body as Read<S>;
}
