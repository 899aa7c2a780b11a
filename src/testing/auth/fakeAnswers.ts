/** An answer of the fakes before a transport renders it (a fetch Response, an HTTP reply). */
export interface FakeAnswer {
  status: number;
  /** A JSON body; undefined for an empty one. */
  body: unknown;
}

/** The platform's error body on the auth host: the API's shape plus OAuth's `error` fields. */
export function oauthRefusal(status: number, error: string, description: string): FakeAnswer {
  return {
    status,
    body: {
      statusCode: status,
      message: description,
      errors: [{ code: error, message: description }],
      error,
      error_description: description,
    },
  };
}

/** The platform's error body on the API host. */
export function apiRefusal(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): FakeAnswer {
  return { status, body: { statusCode: status, message, errors: [{ code, message, ...extra }] } };
}

/** The API's answer to a missing, unknown, revoked or expired bearer token. */
export function invalidToken(): FakeAnswer {
  return {
    status: 401,
    body: {
      statusCode: 401,
      message: 'invalid_token',
      errors: [{ code: 'invalid_token', message: 'invalid_token' }],
      error: 'invalid_token',
    },
  };
}

export function toResponse(answer: FakeAnswer): Response {
  return answer.body === undefined
    ? new Response(null, { status: answer.status })
    : new Response(JSON.stringify(answer.body), {
        status: answer.status,
        headers: { 'content-type': 'application/json' },
      });
}
