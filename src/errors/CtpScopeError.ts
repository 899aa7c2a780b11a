import { CtpError } from './CtpError';
import { CtpErrorCode } from './CtpErrorCode';

/** The granted scopes differ from the requested ones. */
export class CtpScopeError extends CtpError {
  readonly scopeSet: string;
  readonly missing: readonly string[];
  readonly excess: readonly string[];

  /** For an in-store grant, its Store: a capability there holds in its plain or its Store form. */
  readonly storeKey: string | undefined;

  constructor(scopeSet: string, missing: readonly string[], excess: readonly string[], storeKey?: string) {
    const code = missing.length > 0 ? CtpErrorCode.ScopeMissing : CtpErrorCode.ScopeExcess;
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing ${missing.join(', ')}`);
    // Missing scopes are the ones this library asked for; the excess ones are the server's words: kept in `.excess` only.
    if (excess.length > 0) parts.push(`${excess.length} not requested (listed in .excess)`);
    const hint = excess.some((s) => s.startsWith('manage_project:'))
      ? ' The API client holds manage_project, which cannot be narrowed: create an API client with only the scopes listed in the README.'
      : ' Give the API client exactly the scopes of this set (Merchant Center > Settings > Developer settings), or change the scope registry.';
    const store =
      storeKey === undefined
        ? ''
        : ` (in-store grant for Store ${storeKey}: each capability counts in its plain or its Store form)`;
    super(
      code,
      `Token for scope set "${scopeSet}" was granted other scopes than requested${store}: ${parts.join('; ')}.${hint}`,
    );
    this.scopeSet = scopeSet;
    this.storeKey = storeKey;
    this.missing = Object.freeze([...missing]);
    this.excess = Object.freeze([...excess]);
  }
}
