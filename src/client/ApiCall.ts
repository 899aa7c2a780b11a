import type { TokenOwner } from '../tokens/TokenSource';

/** What decides on an attempt's answer or failure (ApiTransport). */
export interface AttemptJudge {
  answered(call: ApiCall, response: Response): Response | Promise<Response>;
  failed(call: ApiCall, error: unknown): Response | Promise<Response>;
}

/** How a call that got no usable answer ended. */
export type ApiCallFailure = 'network' | 'timeout' | 'cancelled';

/**
 * One API call through a builder of this library, from execute() to its answer: what its error,
 * log events and telemetry say about it. It travels with the request under CALL (a symbol key the
 * engines copy with the headers), so it is the call's own even with app middlewares in between.
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
  constructor(
    readonly method: string,
    readonly uriTemplate: string,
    readonly correlationId: string,
    readonly owner: TokenOwner,
    /** Absolute Date.now() deadline of the whole call, retries included; undefined: per attempt only. */
    readonly deadline: number | undefined,
    readonly signal: AbortSignal | undefined,
    /** May be sent again after it may have reached the platform. */
    readonly retryable: boolean,
  ) {}

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
