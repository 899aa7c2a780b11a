import { mockError, type MockApiContext } from './mockApi';

/**
 * The query parameters of the platform's list endpoints, for the mock's built-in resources: `limit`
 * (default 20, at most 500), `offset` (at most 10,000), `withTotal`, and `where` predicates of the
 * form commercetools writes them: `field = "value"`, `!=`, `in ("a", "b")`, nested objects as
 * `masterData(current(slug(en = "shoe")))`, joined by `and`; several `where` parameters all apply.
 * Predicates beyond that are refused with 400 InvalidInput naming the alternative (a script), never
 * silently ignored.
 */

type Value = string | number | boolean;
type Predicate = (resource: unknown) => boolean;

class Unsupported extends Error {}

function parsePredicate(text: string): Predicate {
  let at = 0;
  const skip = () => {
    while (text[at] === ' ') at += 1;
  };
  const word = (): string => {
    skip();
    const m = /^[A-Za-z_][\w-]*/.exec(text.slice(at));
    if (!m) throw new Unsupported();
    at += m[0].length;
    return m[0];
  };
  const value = (): Value => {
    skip();
    const rest = text.slice(at);
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(rest) ?? /^(-?\d+(?:\.\d+)?|true|false)/.exec(rest);
    if (!m) throw new Unsupported();
    at += m[0].length;
    if (m[0].startsWith('"')) return m[1]!.replace(/\\(.)/g, '$1');
    return m[0] === 'true' ? true : m[0] === 'false' ? false : Number(m[0]);
  };
  const conjunction = (): Predicate => {
    const clauses = [clause()];
    for (;;) {
      skip();
      if (!/^and\b/i.test(text.slice(at))) return (r) => clauses.every((c) => c(r));
      at += 3;
      clauses.push(clause());
    }
  };
  const clause = (): Predicate => {
    const field = word();
    skip();
    const field$ = (r: unknown) =>
      typeof r === 'object' && r !== null ? (r as Record<string, unknown>)[field] : undefined;
    if (text[at] === '(') {
      at += 1;
      const inner = conjunction();
      skip();
      if (text[at] !== ')') throw new Unsupported();
      at += 1;
      return (r) => {
        const v = field$(r);
        return Array.isArray(v) ? v.some(inner) : inner(v);
      };
    }
    const op = /^(!=|=|in\b)/i.exec(text.slice(at))?.[0];
    if (!op) throw new Unsupported();
    at += op.length;
    if (op.toLowerCase() === 'in') {
      skip();
      if (text[at] !== '(') throw new Unsupported();
      at += 1;
      const values = [value()];
      for (skip(); text[at] === ','; skip()) {
        at += 1;
        values.push(value());
      }
      if (text[at] !== ')') throw new Unsupported();
      at += 1;
      return (r) => values.includes(field$(r) as Value);
    }
    const expected = value();
    return op === '=' ? (r) => field$(r) === expected : (r) => field$(r) !== expected;
  };
  const predicate = conjunction();
  skip();
  if (at !== text.length) throw new Unsupported();
  return predicate;
}

/** The platform's paged answer of `resources` for `query`, or its 400 InvalidInput refusal. */
export function queryPage(c: MockApiContext, resources: readonly unknown[], query: URLSearchParams): Response {
  const number = (name: string, fallback: number, max: number): number | string => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    const n = Number(raw);
    return Number.isInteger(n) && n >= 0 && n <= max ? n : `${name} must be an integer from 0 to ${max}, not '${raw}'.`;
  };
  const limit = number('limit', 20, 500);
  const offset = number('offset', 0, 10_000);
  if (typeof limit === 'string') return mockError(c, 400, 'InvalidInput', limit);
  if (typeof offset === 'string') return mockError(c, 400, 'InvalidInput', offset);
  let matching = [...resources];
  for (const where of query.getAll('where')) {
    try {
      matching = matching.filter(parsePredicate(where));
    } catch {
      return mockError(
        c,
        400,
        'InvalidInput',
        `Malformed parameter: where: the mock evaluates =, != and in, nested as field(...) and joined by and, not '${where}'; script this query with mock.on().`,
      );
    }
  }
  const results = matching.slice(offset, offset + limit);
  return c.json({
    limit,
    offset,
    count: results.length,
    ...(query.get('withTotal') === 'false' ? {} : { total: matching.length }),
    results,
  });
}
