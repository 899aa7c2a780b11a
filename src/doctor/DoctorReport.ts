import type { StoreScopeForm } from '../scopes/inStoreScopes';
import type { ScopeSetName } from '../scopes/ScopeSetName';

export interface SetReport {
  set: ScopeSetName;
  flow: 'client_credentials' | 'anonymous' | 'password';
  /** mismatch: granted other scopes; refused: 400 invalid_scope. */
  outcome: 'ok' | 'mismatch' | 'refused' | 'skipped' | 'error';
  rows: { scope: string; requested: boolean; granted: boolean }[];
  /** For `refused`: the requested scopes the API client does not hold (probed one by one). */
  lacking?: string[];
  lifetimeSeconds?: number;
  lifetimeSource?: 'introspection' | 'expires_in';
  /** For an in-store customer check: the form of each Store-scoped capability granted. */
  storeScopes?: { storeKey: string; forms: { scope: string; form: StoreScopeForm }[] };
  note?: string;
}

export interface DoctorReport {
  target: { projectKey: string; authUrl: string; apiUrl: string; clientId: string; embedded: boolean };
  sets: SetReport[];
  warnings: string[];
  /** Tokens created and revoked (or that failed to revoke). */
  tokens: { created: number; revoked: number; revokeFailed: number };
  problems: number;
}
