const REDACTED = '[redacted]';

/** Percent-escapes with lower-case hex: some servers echo what they decoded re-encoded that way. */
const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

/** Every form a secret takes on the wire and in an echo: raw, URL- and form-encoded, each also with lower-case hex. */
export function secretForms(secret: string): string[] {
  const uri = encodeURIComponent(secret);
  const formEncoded = new URLSearchParams({ v: secret }).toString().slice(2);
  const legacyForm = uri.replace(/%20/g, '+');
  return [
    ...new Set([secret, uri, lowerHex(uri), formEncoded, lowerHex(formEncoded), legacyForm, lowerHex(legacyForm)]),
  ];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces every form of the secrets in outside text (a server's error field, an exception message) before
 * it is kept; no length floor, a 3-character password is still one. One pass, longest form first, so a short
 * secret inside a longer one cannot leave the rest behind and "[redacted]" is never re-scanned.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) if (secret) for (const form of secretForms(secret)) forms.add(form);
  if (forms.size === 0) return text;
  const pattern = [...forms]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');
  return text.replace(new RegExp(pattern, 'g'), REDACTED);
}

/** Server-supplied text is cut so a proxy's HTML page cannot flood a log line. */
export function truncate(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** `redact` then `truncate`, for a server-provided value kept in a typed field. */
export function redactField(
  value: string | undefined,
  secrets: readonly (string | undefined)[],
  max = 200,
): string | undefined {
  return value === undefined ? undefined : truncate(redact(value, secrets), max);
}
