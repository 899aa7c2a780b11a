import { parseGrantedScope } from '../src/scopes/scopeString';
import { DEFAULT_SCOPE_SETS } from '../src/scopes/defaultScopeSets';
import { MemorySessionStorage } from '../src/session/MemorySessionStorage';
import type { CtpAuthToken } from '../src/auth/CtpAuthToken';
import { randomBytes } from 'node:crypto';
import { chartFile } from './chartFiles';
import { fmt, table, type Section } from './markdown';

/** Stored sessions per measurement: heap against sessions, the largest one judged against the goal. */
const SESSIONS = [1_000, 10_000, 100_000];

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

/** Heap bytes used by `count` sessions in MemorySessionStorage, as the code stores them (storage.set). */
async function heapFor(count: number): Promise<number> {
  gc();
  const before = process.memoryUsage().heapUsed;
  const stores: MemorySessionStorage[] = new Array(count);
  for (let i = 0; i < count; i += 1) {
    const storage = new MemorySessionStorage(`session-${i}`);
    await storage.set(token(i));
    stores[i] = storage;
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  void stores.length;
  return after - before;
}

export async function memory(): Promise<Section> {
  const sample = token(0);
  const jsonBytes = Buffer.byteLength(JSON.stringify(sample));
  const heaps: number[] = [];
  for (const count of SESSIONS) heaps.push(await heapFor(count));
  const largest = SESSIONS.length - 1;
  const perSession = heaps[largest]! / SESSIONS[largest]!;
  const chart = await chartFile('memory-heap.svg', {
    title: 'Heap against stored sessions (MemorySessionStorage)',
    x: { title: 'stored customer sessions', scale: 'log' },
    y: { title: 'heap used (MiB)', scale: 'log' },
    points: SESSIONS.map((count, i) => ({ x: count, y: Number((heaps[i]! / 1_048_576).toFixed(2)), series: 'heap' })),
  });
  return {
    title: 'Memory',
    goal: `under 2 KiB of heap per stored session at ${fmt(SESSIONS[largest]!)} sessions (our own target; the issue sets none)`,
    met: perSession < 2048,
    body: [
      table(['measure', 'value'], [['JSON bytes of one customer token (what a session store holds)', fmt(jsonBytes)]]),
      table(
        ['stored sessions', 'heap (MiB)', 'heap bytes per session (token, 11 scopes, storage object)'],
        SESSIONS.map((count, i) => [fmt(count), fmt(heaps[i]! / 1_048_576, 1), fmt(heaps[i]! / count)]),
      ),
      chart,
    ].join('\n\n'),
    notes: ['heapUsed after two forced GCs, before and after each count, measured one count after the other (the previous count\'s sessions released); one customer token with the default 11 customer scopes per session, stored with storage.set as the library stores it.'],
  };
}
