import { CtpError } from '../errors/CtpError';
import { CtpErrorCode } from '../errors/CtpErrorCode';
import { CtpInvalidCredentialsError } from '../errors/CtpInvalidCredentialsError';
import { CtpOAuthError } from '../errors/CtpOAuthError';
import { redact, truncate } from '../util/redact';
import type { TokenFlow } from './TokenResponse';

interface OAuthErrorBody {
  error?: string;
  description?: string;
  apiCode?: string;
}

/** Reads the commercetools error shape `{statusCode, message, errors:[{code}], error, error_description}`. */
function readErrorBody(text: string): OAuthErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const first = Array.isArray(record['errors']) ? (record['errors'][0] as Record<string, unknown> | undefined) : undefined;
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
 * Turns a non-2xx answer of the auth host into a typed error. `secrets` are the values this request
 * sent; a server that echoes one back does not get it into a message.
 */
export function oauthErrorFromResponse(
  flow: TokenFlow,
  status: number,
  text: string,
  secrets: readonly (string | undefined)[],
  requestedScope?: string,
  response?: Response,
): CtpError {
  const body = readErrorBody(text);
  const error = body.error;
  const description = body.description === undefined ? undefined : truncate(redact(body.description, secrets));
  const common = { status, error, errorDescription: description, flow, ...(response ? { response } : {}) };
  const said = description ? `: ${description}` : '';

  if (error === 'invalid_customer_account_credentials' || body.apiCode === 'InvalidCredentials') {
    return new CtpInvalidCredentialsError({ status, ...(response ? { response } : {}) });
  }
  if (status === 401 || error === 'invalid_client') {
    return new CtpOAuthError(
      CtpErrorCode.InvalidClient,
      `The auth server refused the API client (${status} ${error ?? 'unauthorized'}) on the ${flow} flow: check CTP_CLIENT_ID and CTP_CLIENT_SECRET and that the API client still exists.`,
      common,
    );
  }
  if (error === 'invalid_scope') {
    return new CtpOAuthError(
      CtpErrorCode.InvalidScope,
      `The auth server refused the requested scopes on the ${flow} flow (400 invalid_scope${said}). Requested: ${requestedScope ?? '(none)'}. Give the API client these scopes or narrow the scope registry.`,
      common,
    );
  }
  const shown = error ?? (text.trimStart().startsWith('<') ? 'an HTML page' : 'no OAuth error code');
  return new CtpOAuthError(
    CtpErrorCode.AuthRejected,
    `The auth server rejected the ${flow} request (${status} ${shown}${said}).`,
    common,
  );
}
