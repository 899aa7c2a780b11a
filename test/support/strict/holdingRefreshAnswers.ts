import type { FetchLike } from '../../../src/auth/AuthTransport';

/**
 * A fetch that lets requests reach the server but holds back the answers to refreshes until the
 * test releases them: the refresh happened at the platform, its result is still on its way.
 */
export function holdingRefreshAnswers() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let seen!: () => void;
  const refreshSent = new Promise<void>((resolve) => (seen = resolve));
  const fetch: FetchLike = async (input, init) => {
    const answer = await globalThis.fetch(input, init);
    if (typeof init.body === 'string' && init.body.includes('grant_type=refresh_token')) {
      seen();
      await released;
    }
    return answer;
  };
  return { fetch, release, refreshSent };
}
