/**
 * Replaces every occurrence of the given secrets in a text that came from outside (a server's error
 * description, an exception message) before it goes into an error message or a log line.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values would blank out ordinary words; real secrets and tokens are long.
    if (secret !== undefined && secret.length >= 6) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** Server-supplied text is cut so a proxy's HTML page cannot flood a log line. */
export function truncate(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
