import { CtpConfigError } from '../errors/CtpConfigError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpScopeError } from '../errors/CtpScopeError';
import { DEFAULT_SCOPE_SETS } from './defaultScopeSets';
import { inStoreDifference, toStoreForms } from './inStoreScopes';
import { sameScopeSet, scopeFingerprint } from './scopeCatalog';
import { scopeDifference } from './scopeDifference';
import { SCOPE_SET_NAMES, type ScopeSetName, type ScopeSpec } from './ScopeSetName';
import { isSharedDataScope, PUBLIC_READ_SCOPES, renderScope, scopeName, scopeSpecProblem } from './scopeString';

export interface ScopeRegistryOptions {
  projectKey: string;
  /** Replaces whole sets; a set not named keeps its default. */
  sets?: Partial<Record<ScopeSetName, readonly ScopeSpec[]>>;
  /** Lets shopper sets hold scopes on shared data (isSharedDataScope): any shopper could read or change others' data. */
  unsafeAllowSharedDataScopesForShoppers?: boolean;
}

/**
 * The named, least-privilege scope sets every grant asks for explicitly. Built once from validated
 * options; a bad set fails here, when the container loads, not on a shopper's first request.
 */
export class ScopeRegistry {
  readonly projectKey: string;
  readonly #rendered: Readonly<Record<ScopeSetName, readonly string[]>>;
  readonly #sharedData: Readonly<Record<ScopeSetName, readonly string[]>>;
  /** Store variants, rendered once per Store: every session of a Store shares one array. */
  readonly #inStore = new Map<string, readonly string[]>();
  readonly #fingerprints = new WeakMap<readonly string[], string>();

  constructor(options: ScopeRegistryOptions) {
    this.projectKey = options.projectKey;
    const problems: string[] = [];
    const rendered = {} as Record<ScopeSetName, readonly string[]>;
    const sharedData = {} as Record<ScopeSetName, readonly string[]>;
    for (const set of SCOPE_SET_NAMES) {
      const specs = options.sets?.[set] ?? DEFAULT_SCOPE_SETS[set];
      if (specs.length === 0) problems.push(`scope set "${set}" is empty: every grant must name its scopes`);
      for (const spec of specs) {
        const problem = scopeSpecProblem(spec);
        if (problem) problems.push(`scope set "${set}": ${problem}`);
      }
      // One frozen array per set: every session of the set shares it (StoredSession reads it back by fingerprint).
      rendered[set] = Object.freeze([...new Set(specs.map((s) => renderScope(s, options.projectKey)))]);
      sharedData[set] = Object.freeze(
        set === 'integration' || set === 'checkout' || set === 'customerService'
          ? []
          : [...new Set(specs.map(scopeName).filter(isSharedDataScope))],
      );
    }
    if (rendered.checkout.join(' ') !== `manage_sessions:${options.projectKey}`)
      problems.push(
        'scope set "checkout" must be manage_sessions alone: its token is for the Checkout session host and nothing else',
      );
    for (const name of Object.keys(options.sets ?? {})) {
      if (!(SCOPE_SET_NAMES as readonly string[]).includes(name))
        problems.push(`unknown scope set "${name}" (known: ${SCOPE_SET_NAMES.join(', ')})`);
    }
    if (problems.length > 0) throw new CtpConfigError(problems);
    const unsafe = SCOPE_SET_NAMES.flatMap((set) => sharedData[set].map((name) => `${set}: ${name}`));
    if (unsafe.length > 0 && options.unsafeAllowSharedDataScopesForShoppers !== true) {
      throw new CtpConfigError(
        [
          `shopper scope sets hold scopes on other shoppers' or shared data (${unsafe.join(', ')}): every shopper's token could read or change all of it. ` +
            `A shopper set may hold the manage_my_* scopes, create_anonymous_token and the public reads (${PUBLIC_READ_SCOPES.join(', ')}); ` +
            'do other reads and writes with integrationApiRoot(), or set unsafeAllowSharedDataScopesForShoppers: true if you must keep them for now.',
        ],
        CtpErrorCode.ScopeUnsafe,
      );
    }
    this.#rendered = Object.freeze(rendered);
    this.#sharedData = Object.freeze(sharedData);
  }

  /** The scopes on shared data a shopper set holds: only with the unsafe option; never for `integration`. */
  sharedDataScopes(set: ScopeSetName): readonly string[] {
    return this.#sharedData[set];
  }

  /** The rendered scopes of a set; with a `storeKey`, those that have Store variants as `name:projectKey:storeKey`. */
  scopes(set: ScopeSetName, storeKey?: string): readonly string[] {
    if (storeKey === undefined) return this.#rendered[set];
    const key = `${set} ${storeKey}`;
    let scopes = this.#inStore.get(key);
    if (scopes === undefined) {
      scopes = Object.freeze(toStoreForms(this.#rendered[set], this.projectKey, storeKey));
      // Past the bound (a project has few Stores) the list is rendered per call.
      if (this.#inStore.size < MAX_STORE_VARIANTS) this.#inStore.set(key, scopes);
    }
    return scopes;
  }

  /** The fingerprint of the set's scopes (scopeFingerprint): what a stored session keeps instead of the list. */
  fingerprint(set: ScopeSetName, storeKey?: string): string {
    const scopes = this.scopes(set, storeKey);
    let fingerprint = this.#fingerprints.get(scopes);
    if (fingerprint === undefined) this.#fingerprints.set(scopes, (fingerprint = scopeFingerprint(scopes)));
    return fingerprint;
  }

  /** The set's shared array when `scopes` hold the same set, else undefined: a session keeps the shared one, not a copy. */
  shared(set: ScopeSetName, scopes: readonly string[], storeKey?: string): readonly string[] | undefined {
    const mine = this.scopes(set, storeKey);
    return sameScopeSet(mine, scopes) ? mine : undefined;
  }

  /** Space-separated, ready for the grant's `scope` parameter. */
  scopeParameter(set: ScopeSetName, storeKey?: string): string {
    return this.scopes(set, storeKey).join(' ');
  }

  /**
   * What the granted scopes (identity removed) lack of the set's and hold beyond it: exactly the requested
   * ones must come back, or with a `storeKey` each capability in its plain or Store form (inStoreDifference).
   */
  difference(
    set: ScopeSetName,
    granted: readonly string[],
    storeKey?: string,
  ): { missing: string[]; excess: string[] } {
    const requested = this.scopes(set, storeKey);
    return storeKey === undefined
      ? scopeDifference(requested, granted)
      : inStoreDifference(requested, granted, this.projectKey, storeKey);
  }

  /** Throws a CtpScopeError naming what is missing (and counting the excess) unless `difference` finds nothing. */
  check(set: ScopeSetName, granted: readonly string[], storeKey?: string): void {
    const { missing, excess } = this.difference(set, granted, storeKey);
    if (missing.length > 0 || excess.length > 0) throw new CtpScopeError(set, missing, excess, storeKey);
  }
}

const MAX_STORE_VARIANTS = 1_000;
