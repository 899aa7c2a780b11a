import { parseGrantedScope } from '../src/scopes/scopeString';
import { DEFAULT_SCOPE_SETS } from '../src/scopes/defaultScopeSets';
import { MemorySessionStorage } from '../src/session/MemorySessionStorage';
import type { CtpAuthToken } from '../src/auth/CtpAuthToken';
import { randomBytes } from 'node:crypto';
import { fmt, table, type Section } from './markdown';

const SESSIONS = 100_000;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc (npm run bench does)');
  collect();
  collect();
}

/** A token as a customer grant produces it: each token's strings are its own, as parsed from JSON. */
function token(i: number): CtpAuthToken {
  const scope = `${(DEFAULT_SCOPE_SETS.customer as string[]).map((s) => `${s}:bench-project`).join(' ')} customer_id:${randomBytes(16).toString('hex')}`;
  const granted = parseGrantedScope(JSON.parse(JSON.stringify(scope)) as string);
  return {
    kind: 'customer',
    accessToken: randomBytes(24).toString('base64'),
    refreshToken: `bench-project:${randomBytes(32).toString('base64')}`,
    issuedAt: Date.now() + i,
    expiresAt: Date.now() + 172_800_000,
    scopes: granted.scopes,
    customerId: granted.customerId!,
  };
}

export async function memory(): Promise<Section> {
  const sample = token(0);
  const jsonBytes = Buffer.byteLength(JSON.stringify(sample));
  gc();
  const before = process.memoryUsage().heapUsed;
  const stores: MemorySessionStorage[] = new Array(SESSIONS);
  for (let i = 0; i < SESSIONS; i += 1) {
    const storage = new MemorySessionStorage(`session-${i}`);
    await storage.set(token(i));
    stores[i] = storage;
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  const perSession = (after - before) / SESSIONS;
  void stores.length;
  return {
    title: 'Memory',
    goal: 'under 2 KiB of heap per stored session (our own target; the issue sets none)',
    met: perSession < 2048,
    body: table(
      ['measure', 'value'],
      [
        ['JSON bytes of one customer token (what a session store holds)', fmt(jsonBytes)],
        [`heap for ${fmt(SESSIONS)} sessions in MemorySessionStorage`, `${fmt((after - before) / 1_048_576, 1)} MiB`],
        ['heap bytes per session (token, 11 scopes, storage object)', fmt(perSession)],
      ],
    ),
    notes: ['heapUsed after two forced GCs, before and after; one customer token with the default 11 customer scopes per session.'],
  };
}
