import { randomBytes, randomUUID } from 'node:crypto';
import type { CtpAuthToken } from '../src/auth/CtpAuthToken';
import type { OAuthClient } from '../src/auth/OAuthClient';
import { toStoredSession } from '../src/auth/StoredSession';
import { TokenIssuer } from '../src/auth/TokenIssuer';
import type { TokenResponse } from '../src/auth/TokenResponse';
import { ScopeRegistry } from '../src/scopes/ScopeRegistry';
import { MemorySessionStorage } from '../src/session/MemorySessionStorage';
import { silentLogger } from '../src/util/Logger';
import { chartFile } from './chartFiles';
import { fmt, table, type Section } from './markdown';

/** Stored sessions per measurement: heap against sessions is what the chart plots. */
export const SESSION_COUNTS: readonly number[] = [1_000, 10_000, 100_000];
const PROJECT = 'bench-project';
const JSON_GOAL_BYTES = 320;
const HEAP_GOAL_BYTES = 1024;

export interface MemoryRow {
  sessions: number;
  /** JSON of one stored customer session in the compact format (what Redis, express-session, a database hold). */
  jsonBytes: number;
  /** The same session as the full CtpAuthToken (the format before the compact one). */
  legacyJsonBytes: number;
  /** heapUsed growth over all sessions, after forced GCs. */
  heapBytes: number;
  heapBytesPerSession: number;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc (npm run bench does)');
  collect();
  collect();
}

/**
 * Customer sign-ins through the library's own TokenIssuer, its OAuth client replaced by an answer
 * parsed from JSON as the real client parses it: each token's strings are its own, as in production
 * (commercetools' lengths: 32-character access token, `{projectKey}:` plus 43 for refresh, a UUID).
 */
const registry = new ScopeRegistry({ projectKey: PROJECT });

function signIns(): () => Promise<CtpAuthToken> {
  const scope = registry.scopeParameter('customer');
  const oauth = {
    password: async (): Promise<TokenResponse> => {
      const body = JSON.parse(
        JSON.stringify({
          access_token: randomBytes(24).toString('base64url'),
          token_type: 'Bearer',
          expires_in: 172_800,
          scope: `${scope} customer_id:${randomUUID()}`,
          refresh_token: `${PROJECT}:${randomBytes(32).toString('base64url')}`,
        }),
      ) as Record<string, string | number>;
      return {
        accessToken: String(body['access_token']),
        tokenType: 'bearer',
        expiresIn: Number(body['expires_in']),
        scope: String(body['scope']),
        refreshToken: String(body['refresh_token']),
      };
    },
  } as unknown as OAuthClient;
  const issuer = new TokenIssuer(oauth, registry, { now: () => Date.now() }, silentLogger);
  return () => issuer.customer({ email: 'shopper@example.com', password: 'unused' });
}

/** Heap and JSON bytes of stored customer sessions at each count (for the table and the chart). */
export async function memoryRows(counts: readonly number[] = SESSION_COUNTS): Promise<MemoryRow[]> {
  const signIn = signIns();
  const sample = await signIn();
  const jsonBytes = Buffer.byteLength(JSON.stringify(toStoredSession(sample, registry)));
  const legacyJsonBytes = Buffer.byteLength(JSON.stringify(sample));
  // Warm-up, so compiled code and inline caches are not counted in the first (smallest) row.
  for (let i = 0; i < 2_000; i += 1)
    await new MemorySessionStorage(`warm-${i}`).compareAndSet(undefined, toStoredSession(await signIn(), registry));
  const rows: MemoryRow[] = [];
  for (const sessions of counts) {
    let stores: MemorySessionStorage[] | undefined = new Array<MemorySessionStorage>(sessions);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < sessions; i += 1) {
      const storage = new MemorySessionStorage(`session-${i}`);
      await storage.compareAndSet(undefined, toStoredSession(await signIn(), registry));
      stores[i] = storage;
    }
    gc();
    const heapBytes = process.memoryUsage().heapUsed - before;
    void stores.length;
    // Dropped before the next size is measured, so its sessions are garbage by then.
    // eslint-disable-next-line no-useless-assignment
    stores = undefined;
    rows.push({ sessions, jsonBytes, legacyJsonBytes, heapBytes, heapBytesPerSession: heapBytes / sessions });
  }
  return rows;
}

export async function memory(): Promise<Section> {
  const rows = await memoryRows();
  const largest = rows[rows.length - 1]!;
  const met = largest.jsonBytes <= JSON_GOAL_BYTES && rows.every((r) => r.heapBytesPerSession <= HEAP_GOAL_BYTES);
  return {
    title: 'Memory',
    goal: `at most ${JSON_GOAL_BYTES} B of JSON for a stored customer session with the default scope set, at most ${fmt(HEAP_GOAL_BYTES)} B of heap per session in MemorySessionStorage (issue 14)`,
    met,
    body: [
      table(
        [
          'stored sessions',
          'JSON bytes per session (compact)',
          'JSON bytes per session (full token, before)',
          'heap for all sessions',
          'heap bytes per session',
        ],
        rows.map((r) => [
          fmt(r.sessions),
          fmt(r.jsonBytes),
          fmt(r.legacyJsonBytes),
          `${fmt(r.heapBytes / 1_048_576, 1)} MiB`,
          fmt(r.heapBytesPerSession),
        ]),
      ),
      await chartFile('memory-heap.svg', {
        title: 'Heap against stored sessions (MemorySessionStorage)',
        x: { title: 'stored customer sessions', scale: 'log' },
        y: { title: 'heap used (MiB)', scale: 'log' },
        points: rows.map((r) => ({ x: r.sessions, y: Number((r.heapBytes / 1_048_576).toFixed(2)), series: 'heap' })),
      }),
    ].join('\n\n'),
    notes: [
      'Each session a customer sign-in through TokenIssuer (answer parsed from JSON, commercetools token lengths), stored in its own MemorySessionStorage with its id; heapUsed after two forced GCs, before and after.',
      'Compact format: short field names and the fingerprint of the scope set instead of its eleven scopes; in memory every session of a set shares one frozen scope array.',
    ],
  };
}
