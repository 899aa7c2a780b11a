import { CtpError } from './CtpError';
import { CtpErrorCode } from './CtpErrorCode';

/**
 * An API call failed (CTP_API_*). `status` is never 0: without an answer it is a gateway's (502 network,
 * 504 timeout, 499 cancelled). No token, body, URL id or secret is in it; the SDK's error is `cause`.
 */
export class CtpApiError extends CtpError {
  declare readonly status: number | undefined;
  /** The first `errors[].code` of the API's answer, e.g. `InvalidCredentials`; never in `message`. */
  readonly apiCode: string | undefined;
  /** Every `errors[].code` of the API's answer, e.g. `['ConcurrentModification']`. */
  readonly apiCodes: readonly string[];
  /** The API's `message`, redacted and cut; never in `message`. Only for calls the library makes itself. */
  readonly apiMessage: string | undefined;
  /** For a request that got no answer: the network error, redacted and cut. */
  readonly reason: string | undefined;
  /** HTTP method of the call. */
  readonly method: string | undefined;
  /** The endpoint as a template (`/{projectKey}/carts/{ID}`), never the URL with its ids. */
  readonly uriTemplate: string | undefined;
  /** The X-Correlation-ID the call was sent with: quote it to commercetools support. */
  readonly correlationId: string | undefined;
  /** How many times the request was sent again after its first attempt. */
  readonly retries: number;

  constructor(
    message: string,
    options: {
      cause?: unknown;
      status?: number;
      response?: Response;
      /** Default CTP_API_REQUEST_FAILED (a call the library makes itself, e.g. sign-in). */
      code?: CtpErrorCode;
      apiCode?: string | undefined;
      apiCodes?: readonly string[] | undefined;
      apiMessage?: string | undefined;
      reason?: string | undefined;
      method?: string | undefined;
      uriTemplate?: string | undefined;
      correlationId?: string | undefined;
      retries?: number | undefined;
    } = {},
  ) {
    super(options.code ?? CtpErrorCode.ApiRequestFailed, message, options);
    this.apiCodes = options.apiCodes ?? (options.apiCode === undefined ? [] : [options.apiCode]);
    this.apiCode = options.apiCode ?? this.apiCodes[0];
    this.apiMessage = options.apiMessage;
    this.reason = options.reason;
    this.method = options.method;
    this.uriTemplate = options.uriTemplate;
    this.correlationId = options.correlationId;
    this.retries = options.retries ?? 0;
  }

  /** The SDK's name for `status`, for code written against the SDK's errors. */
  get statusCode(): number | undefined {
    return this.status;
  }
}
