/**
 * Text PostgreSQL can store. `text` refuses U+0000 ("invalid byte sequence"), `jsonb` refuses the
 * escape `\u0000` and a UTF-16 half without its pair ("unsupported Unicode escape sequence"), and
 * a user, a Bitable cell or an API client can send either. Every boundary (chat, card forms,
 * Bitable cells, Feishu event fields, API bodies, imports, error text) passes text through here
 * once, so nothing inside has to think about it.
 *
 * Policy: each such code unit becomes U+FFFD, the replacement character that TextDecoder and
 * `String.prototype.toWellFormed` use, so the change stays visible and nothing vanishes silently.
 * Where a changed value would mean something else (an id in an API body), refuse it instead:
 * `unstorablePath` names the first offending value.
 */

// Without the `u` flag the pattern works on UTF-16 code units: NUL, a high half not followed by a
// low half, a low half not preceded by a high half. (NUL is the point here, hence the disable.)
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const TEST = new RegExp(UNSTORABLE.source);

export const REPLACEMENT = '\uFFFD';

export function hasUnstorable(text: string): boolean {
  return TEST.test(text);
}

/** The text with NUL and unpaired surrogates replaced by U+FFFD; the same string when clean. */
export function storableText(text: string): string {
  return hasUnstorable(text) ? text.replace(UNSTORABLE, REPLACEMENT) : text;
}

/** Every string (and object key) in a JSON-like value made storable; other values are kept. */
export function storableDeep<T>(value: T): T {
  return deep(value, 0) as T;
}

function deep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return storableText(value);
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => deep(v, depth + 1));
  // Date, Buffer …
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[storableText(k)] = deep(v, depth + 1);
  return out;
}

/** The path of the first string or key holding unstorable text ("/title", "/items/2"), or undefined. */
export function unstorablePath(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'string') return hasUnstorable(value) ? path || '/' : undefined;
  if (depth > 64 || value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const here = `${path}/${k}`;
    if (hasUnstorable(k)) return here;
    const found = unstorablePath(v, here, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** At most `max` UTF-16 units, cut with "…" and never between the two halves of a pair. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
  return `${text.slice(0, end)}…`;
}

/** An error's message as text a failure record can always hold: storable and at most `max` long. */
export function errorText(err: unknown, max = 2000): string {
  let message: string;
  try {
    message = err instanceof Error ? err.message : String(err);
  } catch {
    message = 'unprintable error';
  }
  return shorten(storableText(message), max);
}
