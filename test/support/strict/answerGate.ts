import type { FetchLike } from '../../../src/auth/AuthTransport';

/** One request whose answer the gate holds: what it was, and how to let its answer through. */
export interface HeldAnswer {
  /** `grant <grant_type>`, `revoke <token_type_hint>`, or `<METHOD> <path>` for the API. */
  label: string;
  release(): void;
}

function labelOf(input: string | URL | Request, init: RequestInit | undefined): string {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const body =
    typeof init?.body === 'string'
      ? new URLSearchParams(init.body)
      : init?.body instanceof URLSearchParams
        ? init.body
        : undefined;
  if (url.pathname === '/oauth/token/revoke') return `revoke ${body?.get('token_type_hint') ?? '?'}`;
  if (url.pathname.startsWith('/oauth/')) return `grant ${body?.get('grant_type') ?? '?'}`;
  return `${init?.method ?? 'GET'} ${url.pathname}`;
}

/**
 * A fetch whose answers wait at a gate the test opens one round at a time: each request reaches
 * the server, and its answer is held until release(). Counting the releases a call needs counts the
 * sequential round trips it waits for; requests sent in parallel are held together in one round.
 * Open (answers pass) until close().
 */
export function answerGate() {
  let closed = false;
  const held: HeldAnswer[] = [];
  let changed: (() => void) | undefined;
  const fetch: FetchLike = async (input, init) => {
    const answer = await globalThis.fetch(input, init);
    if (!closed) return answer;
    await new Promise<void>((resolve) => {
      held.push({ label: labelOf(input, init), release: resolve });
      changed?.();
    });
    return answer;
  };
  return {
    fetch,
    close(): void {
      closed = true;
    },
    /** Lets every held answer through and opens the gate for good. */
    open(): void {
      closed = false;
      this.release();
    },
    /** The labels of the answers held now. */
    held(): string[] {
      return held.map((h) => h.label);
    },
    /** Resolves with the held labels (sorted) once at least `count` answers are held. */
    async arrived(count: number): Promise<string[]> {
      while (held.length < count) await new Promise<void>((resolve) => (changed = resolve));
      return held.map((h) => h.label).sort();
    },
    /** One round: lets the answers held now through; says which. */
    release(): string[] {
      const round = held.splice(0);
      for (const h of round) h.release();
      return round.map((h) => h.label).sort();
    },
  };
}

/** One turn of the event loop: every promise continuation already due has run. */
export const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
