import type { TokenOwner } from '../tokens/TokenSource';
import { isIdempotent } from './isIdempotent';

/** What decides on an attempt's answer or failure (ApiTransport). */
export interface AttemptJudge {
  answered(call: ApiCall, response: Response): Response | Promise<Response>;
  failed(call: ApiCall, error: unknown): Response | Promise<Response>;
}

/** How a call that got no usable answer ended. */
export type ApiCallFailure = 'network' | 'timeout' | 'cancelled';

/** What a call reads of the platform SDK's request, and only when it needs it. */
export interface ApiCallRequest {
  readonly method: string;
  readonly uriTemplate?: string;
  readonly body?: unknown;
}

/**
 * One API call through a builder of this library, from execute() to its answer: what its error,
 * log events and telemetry say about it. It travels with the request under CALL (a symbol key the
 * engines copy with the headers), so it is the call's own even with app middlewares in between.
 *
 * Method, URI template and whether it may be resent are read from the SDK's request when first
 * asked (an error, a log event, a span, a retry decision), not on every call: on Node 20 each
 * request object of the SDK has a hidden class of its own (`{ ...request, uri }` makes a new one
 * every time), so every property read from it misses V8's inline caches and costs about as much as
 * the rest of a call's own work (bench/instructionsPerCall.ts).
 */
export class ApiCall {
  /** Resends after the first attempt. */
  retries = 0;
  failure: ApiCallFailure | undefined = undefined;
  /** Status of the last answer's head: the error's status even when the engine could not read the body (an HTML 502). */
  status = 0;
  /** The network error of the last attempt, for the error's `reason` (redacted there). */
  cause: unknown = undefined;
  /** Set by the transport for the attempts: the request as sent, and who judges each attempt. */
  input = '';
  init: RequestInit | undefined = undefined;
  judge: AttemptJudge | undefined = undefined;
  #retryable: boolean | undefined;
  /** The SDK's request, body included: a private field, so no inspect or JSON of the call shows it. */
  readonly #request: ApiCallRequest;
  constructor(
    request: ApiCallRequest,
    /** The caller's own headers object of the request, read from it once (ApiRootFactory sends ours in its place). */
    readonly callerHeaders: Record<string | symbol, unknown> | undefined,
    readonly correlationId: string,
    readonly owner: TokenOwner,
    /** Absolute Date.now() deadline of the whole call, retries included; undefined: per attempt only. */
    readonly deadline: number | undefined,
    readonly signal: AbortSignal | undefined,
    /** The caller opted in to resending whatever the method (retryNonIdempotent). */
    retryAny: boolean,
  ) {
    this.#request = request;
    this.#retryable = retryAny ? true : undefined;
  }

  get method(): string {
    return this.#request.method;
  }

  get uriTemplate(): string {
    return this.#request.uriTemplate ?? '(no template)';
  }

  /** May be sent again after it may have reached the platform. */
  get retryable(): boolean {
    return (this.#retryable ??= isIdempotent(this.method, this.uriTemplate, this.#request.body));
  }

  /** The deadline sweeper's answer handler: the call itself, so an attempt makes no closure. */
  onAnswer(response: Response): Response | Promise<Response> {
    return this.judge!.answered(this, response);
  }

  onFailure(error: unknown): Response | Promise<Response> {
    return this.judge!.failed(this, error);
  }
}

/** The request-headers key the call travels under; stripped before the request leaves. */
export const CALL: unique symbol = Symbol('ctp-client.apiCall');
