import type { TokenOwner, TokenSource } from '../tokens/TokenSource';

/** How a call that got no usable answer ended. */
export type ApiCallFailure = 'network' | 'timeout' | 'cancelled' | 'too-large';

/**
 * One API call through a builder of this library, from execute() to its answer: what the fetch
 * records of its attempts, and what the call's error, log events and span say about it. It holds
 * no body and no token of its own (the builder's is the source's).
 */
export class ApiCall {
  /** Resends after the first attempt (a 401 recovery is not one). */
  retries = 0;
  /** Status of the last answer (0: none yet). */
  status = 0;
  /** The `errors[].code` of the last answer, when it was an error. */
  apiCodes: readonly string[] = [];
  /** Set when the last attempt got no usable answer. */
  failure: ApiCallFailure | undefined = undefined;
  /** The error of the last failed attempt, for the CtpApiError's `reason` (redacted there). */
  cause: unknown = undefined;
  /** An error the call ends with as it is: what the token source threw during the 401 recovery. */
  thrown: unknown = undefined;
  /** A 401 was recovered once already. */
  recovered = false;

  constructor(
    readonly method: string,
    readonly uriTemplate: string,
    readonly correlationId: string,
    /** Where the builder's token came from: the only way a 401 of this call is recovered. */
    readonly source: TokenSource,
    /** Absolute Date.now() deadline of the whole call, retries included; undefined: per attempt only. */
    readonly deadline: number | undefined,
    /** The caller's signal (withApiCallOptions): aborting it cancels the call. */
    readonly signal: AbortSignal | undefined,
    /** May be sent again after it may have reached the platform (isIdempotent, or the caller's opt-in). */
    readonly retryable: boolean,
  ) {}

  get owner(): TokenOwner {
    return this.source.owner;
  }
}
