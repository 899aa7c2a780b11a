import type { FetchLike } from '../auth/AuthTransport';
import { createOAuthClient } from '../auth/createOAuthClient';
import type { OAuthClient } from '../auth/OAuthClient';
import { DEFAULT_RETRY_POLICY } from '../auth/RetryPolicy';
import type { TokenResponse } from '../auth/TokenResponse';
import type { CtpConfig } from '../config/CtpConfig';
import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { ScopeRegistry } from '../scopes/ScopeRegistry';
import { SCOPE_SET_NAMES, type ScopeSetName, type ScopeSpec } from '../scopes/ScopeSetName';
import { storeScopeForms } from '../scopes/inStoreScopes';
import { parseGrantedScope } from '../scopes/scopeString';
import { systemClock, type Clock } from '../util/Clock';
import { silentLogger } from '../util/Logger';
import { timerSleep } from '../util/sleep';
import type { DoctorReport, SetReport } from './DoctorReport';

interface DoctorOptions {
  config: CtpConfig;
  scopeSets?: Partial<Record<ScopeSetName, readonly ScopeSpec[]>>;
  customer?: { email: string; password: string; storeKey?: string } | undefined;
  fetch?: FetchLike;
  clock?: Clock;
  embedded?: boolean;
  /** Per request to the auth host (default 10 s). The doctor does not retry: it reports. */
  timeoutMs?: number;
  /** Called as each scope set's check starts (the CLI prints a progress line on a terminal). */
  onCheck?: (set: ScopeSetName, flow: SetReport['flow']) => void;
}

const FLOWS: Record<ScopeSetName, SetReport['flow']> = {
  integration: 'client_credentials',
  guest: 'anonymous',
  anonymous: 'anonymous',
  customer: 'password',
  checkout: 'client_credentials',
  customerService: 'client_credentials',
};

/** Checks an API client against the scope registry (docs/doctor.md) and revokes every token it created. */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  // Unsafe allowed so an unsafe set is reported (below), not refused before the checks.
  const registry = new ScopeRegistry({
    projectKey: config.projectKey,
    ...(options.scopeSets ? { sets: options.scopeSets } : {}),
    unsafeAllowSharedDataScopesForShoppers: true,
  });
  const fetch = options.fetch;
  const oauth = createOAuthClient(config, {
    fetch: () => fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeoutMs: options.timeoutMs ?? 10_000,
    timeoutOption: "the doctor's timeout (--timeout, or timeoutMs of runDoctor)",
    // A diagnosis reports what the host answers; retries would hide a flaky host and triple a hang.
    retry: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 },
    clock,
    sleep: timerSleep,
    random: Math.random,
    logger: silentLogger,
  });
  const created: { token: string; hint: 'access_token' | 'refresh_token' }[] = [];
  const keep = (answer: TokenResponse) => {
    created.push({ token: answer.accessToken, hint: 'access_token' });
    if (answer.refreshToken) created.push({ token: answer.refreshToken, hint: 'refresh_token' });
    return answer;
  };
  let clientHoldsManageProject = false;
  const warnings = SCOPE_SET_NAMES.flatMap((set) => {
    const shared = registry.sharedDataScopes(set);
    if (shared.length === 0) return [];
    return `scope set "${set}" holds scopes on other shoppers' or shared data (${shared.join(', ')}): every shopper's token could read or change all of it; keep shopper sets to manage_my_*, create_anonymous_token and public catalogue reads, and do the rest with the integration token`;
  });

  let revoked = 0;
  let revokeFailed = 0;
  const sets: SetReport[] = [];
  // Whatever ends the checks, every token created so far is revoked: no live tokens left in a real project.
  try {
    for (const set of SCOPE_SET_NAMES) {
      // A customer of a Store is checked as the library grants it (Store forms, checked per capability).
      const storeKey = set === 'customer' ? options.customer?.storeKey : undefined;
      const requested = registry.scopes(set, storeKey);
      const flow = FLOWS[set];
      const base = { set, flow, rows: requested.map((scope) => ({ scope, requested: true, granted: false })) };
      // An app without Checkout has no checkout set to check (its API client need not hold manage_sessions).
      if (set === 'checkout' && config.checkout === undefined) continue;
      if (set === 'customer' && !options.customer) {
        sets.push({
          ...base,
          outcome: 'skipped',
          note: 'no test customer: pass --customer-email and set CTP_DOCTOR_CUSTOMER_PASSWORD (or answer the prompt)',
        });
        continue;
      }
      options.onCheck?.(set, flow);
      const scope = registry.scopeParameter(set, storeKey);
      try {
        const answer = keep(
          set === 'integration' || set === 'checkout' || set === 'customerService'
            ? await oauth.clientCredentials(scope)
            : set === 'customer'
              ? await oauth.password(options.customer!, scope)
              : await oauth.anonymous(scope),
        );
        const granted = parseGrantedScope(answer.scope).scopes;
        if (granted.some((s) => s.startsWith('manage_project:'))) clientHoldsManageProject = true;
        const { missing, excess } = registry.difference(set, granted, storeKey);
        const rows = [
          ...requested.map((s) => ({ scope: s, requested: true, granted: !missing.includes(s) })),
          ...excess.map((s) => ({ scope: s, requested: false, granted: true })),
        ];
        const exact = missing.length === 0 && excess.length === 0;
        const inStore = storeKey === undefined ? {} : storeFormReport(requested, granted, config.projectKey, storeKey);
        const notes = [exact ? undefined : 'granted scopes differ from the request', inStore.note].filter(
          (n) => n !== undefined,
        );
        const lifetime = await lifetimeOf(oauth, answer, clock);
        sets.push({
          set,
          flow,
          outcome: exact ? 'ok' : 'mismatch',
          rows,
          ...lifetime,
          ...inStore,
          ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
        });
      } catch (error) {
        if (error instanceof CtpError && error.code === CtpErrorCode.InvalidScope) {
          const lacking: string[] = [];
          for (const single of requested) {
            try {
              keep(await oauth.clientCredentials(single));
            } catch (probeError) {
              if (probeError instanceof CtpError && probeError.code === CtpErrorCode.InvalidScope) lacking.push(single);
              else throw probeError;
            }
          }
          sets.push({
            ...base,
            outcome: 'refused',
            lacking,
            note: `400 invalid_scope: the API client lacks ${lacking.join(', ') || 'a scope it cannot be asked for one by one'}`,
          });
        } else {
          const message = error instanceof CtpError ? `${error.code}: ${error.message}` : 'unexpected error';
          sets.push({ ...base, outcome: 'error', note: message });
        }
      }
    }
    if (clientHoldsManageProject) {
      warnings.push(
        'the API client holds manage_project: it cannot be narrowed, so every token it grants can do everything; create an API client with only the scopes above',
      );
    }
  } finally {
    for (const { token, hint } of created) {
      try {
        await oauth.revoke(token, hint);
        revoked += 1;
      } catch {
        revokeFailed += 1;
      }
    }
  }
  if (revokeFailed > 0)
    warnings.push(`${revokeFailed} token(s) the doctor created could not be revoked; they expire on their own`);
  const failedSets = sets.filter((s) => s.outcome !== 'ok' && s.outcome !== 'skipped').length;
  const { projectKey, authUrl, apiUrl, clientId } = config;
  return {
    target: { projectKey, authUrl, apiUrl, clientId, embedded: options.embedded ?? false },
    sets,
    warnings,
    // Every token created was revoked or failed to be.
    tokens: { created: revoked + revokeFailed, revoked, revokeFailed },
    problems: failedSets + warnings.length,
  };
}

/** Which form of the Store-scoped shopper scopes the API client gets on an in-store grant. */
function storeFormReport(
  requested: readonly string[],
  granted: readonly string[],
  projectKey: string,
  storeKey: string,
): Pick<SetReport, 'storeScopes' | 'note'> {
  const forms = storeScopeForms(requested, granted, projectKey, storeKey).filter((f) => f.form !== 'none');
  if (forms.length === 0) return {};
  const kinds = new Set(forms.map((f) => f.form));
  const what =
    kinds.size > 1
      ? `mixed forms (${forms.map((f) => `${f.scope.split(':')[0]} ${f.form}`).join(', ')})`
      : kinds.has('plain')
        ? 'the plain forms (name:projectKey): its tokens work on the in-store /me endpoints of every Store, not only this one'
        : kinds.has('store')
          ? `the Store forms (name:projectKey:${storeKey}): its tokens work on this Store's in-store /me endpoints only`
          : 'both forms: its tokens work on the in-store /me endpoints of every Store';
  return {
    storeScopes: { storeKey, forms },
    note: `in-store grant for Store ${storeKey}: the API client gets ${what}`,
  };
}

/** From introspection when the client may introspect; otherwise from the grant's expires_in. */
async function lifetimeOf(
  oauth: OAuthClient,
  answer: TokenResponse,
  clock: Clock,
): Promise<Pick<SetReport, 'lifetimeSeconds' | 'lifetimeSource'>> {
  try {
    const result = await oauth.introspect(answer.accessToken);
    if (result.active && result.exp !== undefined) {
      // commercetools does not document exp's unit: a value past 10^12 can only be milliseconds.
      const expMs = result.exp > 1e12 ? result.exp : result.exp * 1000;
      return { lifetimeSeconds: Math.round((expMs - clock.now()) / 1000), lifetimeSource: 'introspection' };
    }
  } catch {
    // Introspection needs its own scope (introspect_oauth_tokens); fall back to the grant.
  }
  return { lifetimeSeconds: answer.expiresIn, lifetimeSource: 'expires_in' };
}
