import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCtpConfig } from '../../src/config/loadCtpConfig';
import { createCtpServices } from '../../src/module/createCtpServices';
import { MemorySessionStorage } from '../../src/session/MemorySessionStorage';
import { runWithCtpSession } from '../../src/session/sessionContext';
import {
  startEmbeddedCommercetools,
  type EmbeddedCommercetools,
} from '../../src/testing/embedded/startEmbeddedCommercetools';

// The README's TypeScript blocks in "Quick start" and "Testing", each headed by its file path (and
// "(CommonJS)" or "(ESM)" for a file of one variant only), written out as two apps, a CommonJS one on
// inversify 6 and an ESM one on inversify 8, and type-checked by tsc against the built package (dist/,
// through the package's exports) with the settings the README's Install section names. `npm test`
// builds first. Then each app runs as its own process against the embedded commercetools, and the
// seed's two datasources answer over real HTTP.
const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
// Inside node_modules, so the apps' other imports (inversify, express, vitest) resolve from the repository's.
const apps = join(root, 'node_modules', '.cache', 'ctp-client-readme');

type Variant = 'CommonJS' | 'ESM';
interface Block {
  path: string;
  variant: Variant | undefined;
  code: string;
}

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end < 0 ? undefined : end);
}

function blocks(text: string): Block[] {
  return [...text.matchAll(/```ts\n(\/\/ (\S+)(?: \((CommonJS|ESM)\))?\n[\s\S]*?)```/g)].map((m) => ({
    path: m[2]!,
    variant: m[3] as Variant | undefined,
    code: m[1]!,
  }));
}

/** Writes the blocks of one variant (and those of both) as an app. */
function writeApp(variant: Variant, files: Block[]): string {
  const app = join(apps, variant);
  rmSync(app, { recursive: true, force: true });
  for (const file of files.filter((f) => f.variant === undefined || f.variant === variant)) {
    mkdirSync(dirname(join(app, file.path)), { recursive: true });
    writeFileSync(join(app, file.path), file.code);
  }
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(root, join(app, 'node_modules', 'ctp-client'), 'dir');
  const type = variant === 'ESM' ? 'module' : 'commonjs';
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `readme-${type}`, private: true, type }));
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        experimentalDecorators: true,
        module: 'nodenext',
        strict: true,
        target: 'ES2022',
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        // The CommonJS app is a server-v3 one: inversify 6 (installed here as the alias inversify6).
        ...(variant === 'CommonJS' ? { paths: { inversify: [join(root, 'node_modules', 'inversify6')] } } : {}),
      },
      include: ['src', 'test'],
    }),
  );
  return app;
}

/** tsc's output on an app. */
function typeCheck(app: string): string {
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], {
      encoding: 'utf8',
    });
    return '';
  } catch (error) {
    return (error as { stdout: string }).stdout;
  }
}

afterAll(() => rmSync(apps, { recursive: true, force: true }));

/** A port free on 127.0.0.1 now: the README's apps listen on PORT. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts an app and answers its URL once it accepts requests. */
async function start(variant: Variant, files: Block[], env: Record<string, string>, started: ChildProcess[]) {
  writeApp(variant, files);
  const port = await freePort();
  // The CommonJS app gets inversify 6 and express 4 (inversify-express-utils' peers) and ctp-client's
  // CommonJS build, as npm would install them in a server-v3 app: the CommonJS example's aliases.
  const loader =
    variant === 'ESM'
      ? ['--import', 'tsx']
      : ['-r', join(root, 'examples/server-v3-cjs/repositoryAliases.cjs'), '-r', 'tsx/cjs'];
  const child = spawn(process.execPath, [...loader, 'src/main.ts'], {
    cwd: join(apps, variant),
    env: { ...process.env, ...env, PORT: String(port), SESSION_SECRET: 'readme-'.repeat(8) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  started.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  // Ready when it accepts a connection: the README's apps print nothing.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${variant} app exited (${child.exitCode}): ${stderr}`);
    const answer = await fetch(`${url}/categories/none`).catch(() => undefined);
    if (answer) return url;
    await new Promise((resolve) => setTimeout(resolve, 50)); // not listening yet: ask again
  }
}

describe('the README', () => {
  const files = [...blocks(section('Quick start')), ...blocks(section('Testing'))];

  it('should head every TypeScript block of the quick start and the testing kit with its file path', () => {
    expect(files.map((f) => `${f.path}${f.variant ? ` (${f.variant})` : ''}`)).toEqual([
      'src/datasources.ts',
      'src/ShopController.ts (CommonJS)',
      'src/main.ts (CommonJS)',
      'src/main.ts (ESM)',
      'test/ExampleCartDatasource.test.ts',
    ]);
    const all = (section('Quick start') + section('Testing')).match(/```ts\n/g) ?? [];
    expect(all).toHaveLength(files.length);
  });

  it.each<Variant>(['CommonJS', 'ESM'])(
    'should type-check as written against the built package: the %s app',
    (variant) => {
      expect(typeCheck(writeApp(variant, files))).toBe('');
    },
    120_000,
  );

  it('should stay at most 12 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12_000);
  });

  it('should pass its unit test of the cart datasource with vitest, in the ESM app', () => {
    // Outside node_modules, where vitest applies the app's tsconfig (experimentalDecorators); the
    // app's node_modules are the repository's, one link each, and ctp-client this package.
    const app = mkdtempSync(join(tmpdir(), 'ctp-client-readme-vitest-'));
    try {
      const written = writeApp('ESM', files);
      for (const entry of ['src', 'test', 'package.json', 'tsconfig.json'])
        cpSync(join(written, entry), join(app, entry), { recursive: true });
      mkdirSync(join(app, 'node_modules'));
      for (const entry of readdirSync(join(root, 'node_modules')))
        symlinkSync(join(root, 'node_modules', entry), join(app, 'node_modules', entry));
      symlinkSync(root, join(app, 'node_modules', 'ctp-client'), 'dir');
      const output = execFileSync(
        process.execPath,
        [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--dir', 'test'],
        { cwd: app, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
      );
      expect(output).toMatch(/Tests\s+1 passed \(1\)/);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  }, 120_000);

  describe('when its apps run against a commercetools', () => {
    let embedded: EmbeddedCommercetools;
    const started: ChildProcess[] = [];
    let cartId: string;

    beforeAll(async () => {
      embedded = await startEmbeddedCommercetools();
      // A cart of the seeded customer, made in the customer's name (the embedded commercetools binds
      // /me/carts to the carts its shoppers made there).
      const services = createCtpServices(loadCtpConfig(embedded.env));
      const customer = embedded.customers[0]!;
      cartId = await runWithCtpSession(new MemorySessionStorage(), async () => {
        await services.session.login(customer.email, customer.password);
        const api = await services.client.customerApiRoot();
        const { body } = await api
          .me()
          .carts()
          .post({ body: { currency: 'EUR' } })
          .execute();
        return body.id;
      });
      await services.close();
    }, 60_000);

    afterAll(async () => {
      for (const child of started) child.kill('SIGTERM');
      await embedded?.stop();
    });

    it('should answer through both datasources in the CommonJS app, the cart after the sign-in', async () => {
      const url = await start('CommonJS', files, embedded.env, started);
      const category = await fetch(`${url}/categories/${embedded.seeded.categoryIds[0]}`);
      expect([category.status, ((await category.json()) as { id: string }).id]).toEqual([
        200,
        embedded.seeded.categoryIds[0],
      ]);
      const customer = embedded.customers[0]!;
      const login = await fetch(`${url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: customer.email, password: customer.password }),
      });
      expect([login.status, await login.json()]).toEqual([200, { customerId: customer.id }]);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const cart = await fetch(`${url}/carts/${cartId}`, { headers: { cookie } });
      expect([cart.status, await cart.json()]).toMatchObject([200, { id: cartId, customerId: customer.id }]);
    }, 120_000);

    it("should answer through both datasources in the ESM app, the customer's cart refused to a visitor", async () => {
      const url = await start('ESM', files, embedded.env, started);
      const category = await fetch(`${url}/categories/${embedded.seeded.categoryIds[0]}`);
      expect([category.status, ((await category.json()) as { id: string }).id]).toEqual([
        200,
        embedded.seeded.categoryIds[0],
      ]);
      expect(category.headers.get('set-cookie')).toBeNull(); // the integration's name: no session
      // In the shopper's name: the visitor gets an anonymous session, which does not see the customer's cart.
      const cart = await fetch(`${url}/carts/${cartId}`);
      expect(cart.headers.get('set-cookie')).toMatch(/^connect\.sid=/);
      expect([cart.status, await cart.json()]).toEqual([404, { error: 'CTP_API_NOT_FOUND', message: 'Not found.' }]);
    }, 120_000);
  });
});
