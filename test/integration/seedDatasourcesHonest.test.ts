import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README and the examples say exactly what changed in the seed doc's two datasources so they
// compile. This holds them to it: examples/server-v3-cjs's copies are the doc's code, line for line
// (indentation and chains aside), once `cartId` reads `id` and the class is exported, below the
// imports and the `CtpCategory` alias; the README's quick start is the same code without comments.
// The seed doc is in shared/ beside the repository (as CI lays it out).
const seed = fileURLToPath(new URL('../../../shared/seeds/ctp-client.md', import.meta.url));
const copies = fileURLToPath(new URL('../../examples/server-v3-cjs/src/datasources/', import.meta.url));
// Line by line, a method chain's links joined: Prettier puts a chain the doc spreads over lines on one.
const lines = (code: string) =>
  code
    .replace(/\s*\n\s*\./g, '.')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
// The code alone: no comment lines, no whitespace.
const tokens = (code: string) =>
  lines(code)
    .filter((l) => !l.startsWith('//'))
    .join('')
    .replace(/\s+/g, '');
const readme = fileURLToPath(new URL('../../README.md', import.meta.url));

describe.skipIf(!existsSync(seed))("the seed doc's datasources in examples/server-v3-cjs", () => {
  const blocks = [...readFileSync(seed, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it.each([
    [
      'ExampleCatalogDatasource',
      [
        "import type { Category } from '@commercetools/platform-sdk';",
        "import { inject, injectable } from 'inversify';",
        "import type { CtpClient } from 'ctp-client';",
        'type CtpCategory = Category;',
      ],
    ],
    [
      'ExampleCartDatasource',
      ["import { inject, injectable } from 'inversify';", "import type { CtpClient } from 'ctp-client';"],
    ],
  ])('should hold %s as the doc writes it, with only the stated changes', (name, additions) => {
    const doc = blocks.find((b) => b.includes(`class ${name}`));
    expect(doc, `a ts block with class ${name} in the seed doc`).toBeDefined();
    const copy = readFileSync(`${copies}${name}.ts`, 'utf8');
    // Only the doc's code, from the decorator on; the copy's comments above it say what changed.
    const body = copy.slice(copy.indexOf('@injectable()'));
    expect(lines(body)).toEqual(lines(doc!.replace('cartId', 'id').replace(`class ${name}`, `export class ${name}`)));
    const head = lines(copy.slice(0, copy.indexOf('@injectable()'))).filter((l) => !l.startsWith('//'));
    expect(head).toEqual(additions);
  });

  it("should show them in the README's quick start with only the changes the README states, comments aside", () => {
    const quickStart = readFileSync(readme, 'utf8').match(/```ts\n\/\/ src\/datasources\.ts\n([\s\S]*?)```/);
    expect(quickStart, 'a ts block headed // src/datasources.ts in the README').not.toBeNull();
    const doc = (name: string) =>
      blocks
        .find((b) => b.includes(`class ${name}`))!
        .replace('cartId', 'id')
        .replace(`class ${name}`, `export class ${name}`);
    const expected = [
      "import type { Category } from '@commercetools/platform-sdk';",
      "import { inject, injectable } from 'inversify';",
      "import type { CtpClient } from 'ctp-client';",
      'type CtpCategory = Category;',
      doc('ExampleCatalogDatasource'),
      doc('ExampleCartDatasource'),
    ].join('\n');
    expect(tokens(quickStart![1]!)).toBe(tokens(expected));
  });

  it('should need the changes: the doc reads cartId and names CtpCategory without defining either', () => {
    const all = blocks.join('\n');
    expect(all).toMatch(/withId\(\{ ID: cartId \}\)/);
    expect(all).not.toMatch(/\bcartId\s*[:=]|\(cartId\b/);
    expect(all).toMatch(/Promise<CtpCategory>/);
    expect(all).not.toMatch(/(type|interface|class|import[^;]*)\s+\{?\s*CtpCategory\b/);
  });
});
