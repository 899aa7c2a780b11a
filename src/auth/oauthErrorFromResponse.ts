import type { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpInvalidCredentialsError } from '../errors/CtpInvalidCredentialsError';
import { CtpOAuthError } from '../errors/CtpOAuthError';
import { redactField } from '../util/redact';
import type { AuthAnswer } from './AuthTransport';
import type { TokenFlow } from './TokenResponse';

interface OAuthErrorBody {
  error?: string;
  description?: string;
  apiCode?: string;
}

/** The JSON object `text` holds, or an empty one: an error or introspection answer is read field by field. */
export function jsonRecord(text: string): Record<string, unknown> {
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Reads the commercetools error shape `{statusCode, message, errors:[{code}], error, error_description}`. */
function readErrorBody(text: string): OAuthErrorBody {
  const record = jsonRecord(text);
  const first = Array.isArray(record['errors'])
    ? (record['errors'][0] as Record<string, unknown> | undefined)
    : undefined;
  const out: OAuthErrorBody = {};
  // The platform puts `error` at the top; some servers only inside errors[0] (as `error` or `code`).
  const error = record['error'] ?? first?.['error'] ?? first?.['code'];
  if (typeof error === 'string') out.error = error;
  const description = record['error_description'] ?? record['message'] ?? first?.['message'];
  if (typeof description === 'string') out.description = description;
  if (typeof first?.['code'] === 'string') out.apiCode = first['code'];
  return out;
}

/**
 * Turns a non-2xx answer of the auth host into a typed error. Messages are fixed per code: what the
 * server said (`error`, `error_description`) is kept only in the error's fields, with every form of
 * the request's secrets (`secrets`) redacted, so a server that echoes one back does not get it out.
 * The comparisons below use the raw values; only what is kept is redacted.
 */
export function oauthErrorFromResponse(
  flow: TokenFlow,
  { response, text }: AuthAnswer,
  secrets: readonly (string | undefined)[],
  requestedScope?: string,
): CtpError {
  const { status } = response;
  const body = readErrorBody(text);
  const error = redactField(body.error, secrets, 100);
  const errorDescription = redactField(body.description, secrets);
  const common = { status, error, errorDescription, flow, response };

  if (body.error === 'invalid_customer_account_credentials' || body.apiCode === 'InvalidCredentials') {
    return new CtpInvalidCredentialsError({ status, response });
  }
  if (status === 401 || body.error === 'invalid_client') {
    return new CtpOAuthError(
      CtpErrorCode.InvalidClient,
      `The auth server refused the API client on the ${flow} flow: check CTP_CLIENT_ID and CTP_CLIENT_SECRET and that the API client still exists.`,
      common,
    );
  }
  if (body.error === 'invalid_scope') {
    return new CtpOAuthError(
      CtpErrorCode.InvalidScope,
      `The auth server refused the requested scopes on the ${flow} flow (invalid_scope). Requested: ${requestedScope ?? '(none)'}. Give the API client these scopes or narrow the scope registry.`,
      common,
    );
  }
  const page = body.error === undefined && text.trimStart().startsWith('<') ? ' with an HTML page' : '';
  return new CtpOAuthError(
    CtpErrorCode.AuthRejected,
    `The auth server rejected the ${flow} request${page} (status and OAuth error are in .status, .error and .errorDescription).`,
    common,
  );
}
