import { AppError } from '../core/errors.js';
import { decryptEvent, eventSignature, legacyCardSignature, safeEqual } from './crypto.js';

export interface VerifyOptions {
  encryptKey: string | undefined;
  verificationToken: string | undefined;
  /** Oldest accepted request, in seconds (Feishu re-pushes for ~7.1 h). */
  maxAgeSeconds: number;
  /** Newest accepted request ahead of our clock, in seconds. */
  maxSkewSeconds?: number;
  now: () => number;
}

export type Headers = Record<string, string | string[] | undefined>;
type Body = Record<string, unknown>;

const forged = () => new AppError('unauthorized', 'request signature or token does not match');
const header = (h: Headers, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Authenticates and opens a Feishu request: JSON, then the signature over the raw bytes
 * (never re-serialised, FEISHU.md §a.4 and §h.3), the time window, decryption, the token.
 * Throws AppError 400 (malformed/undecryptable) or 401 (forged/replayed).
 */
export function openFeishuRequest(raw: Buffer, headers: Headers, o: VerifyOptions): Body {
  const outer = parseObject(raw.toString('utf8'), 'body is not a JSON object');
  const timestamp = header(headers, 'x-lark-request-timestamp');
  const nonce = header(headers, 'x-lark-request-nonce') ?? '';
  const signature = header(headers, 'x-lark-signature');

  if (typeof outer.encrypt === 'string') {
    if (!o.encryptKey) throw new AppError('bad_request', 'encrypted body but no encrypt key is configured');
    const body = decrypt(outer.encrypt, o.encryptKey);
    // The console's URL check proves itself by being decryptable with our key; it may come unsigned.
    if (body.type === 'url_verification') return checkToken(body, body.token, o);
    requireSignature(raw, timestamp, nonce, signature, o, o.encryptKey);
    return checkToken(body, tokenOf(body), o);
  }
  if (isLegacyCard(outer)) {
    if (!o.verificationToken || !timestamp || !signature) throw forged();
    checkWindow(timestamp, o);
    if (!safeEqual(legacyCardSignature(timestamp, nonce, o.verificationToken, raw), signature)) throw forged();
    return outer;
  }
  if (outer.type === 'url_verification') return checkToken(outer, outer.token, o);
  if (o.encryptKey) {
    requireSignature(raw, timestamp, nonce, signature, o, o.encryptKey);
    return checkToken(outer, tokenOf(outer), o);
  }
  if (timestamp) checkWindow(timestamp, o);
  else checkCreateTime(outer, o);
  return checkToken(outer, tokenOf(outer), o, true);
}

function parseObject(text: string, message: string): Body {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('bad_request', message);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new AppError('bad_request', message);
  return value as Body;
}

function decrypt(encrypted: string, key: string): Body {
  let text: string;
  try {
    text = decryptEvent(encrypted, key);
  } catch {
    throw new AppError('bad_request', 'body could not be decrypted');
  }
  return parseObject(text, 'decrypted body is not a JSON object');
}

function requireSignature(
  raw: Buffer,
  ts: string | undefined,
  nonce: string,
  sig: string | undefined,
  o: VerifyOptions,
  key: string,
) {
  if (!ts || !sig) throw forged();
  checkWindow(ts, o);
  if (!safeEqual(eventSignature(ts, nonce, key, raw), sig)) throw forged();
}

function checkWindow(timestamp: string, o: VerifyOptions) {
  const seconds = Number(timestamp);
  if (!Number.isFinite(seconds)) throw forged();
  assertFresh(seconds * 1000, o);
}

function assertFresh(sentMs: number, o: VerifyOptions) {
  const age = (o.now() - sentMs) / 1000;
  if (age < -(o.maxSkewSeconds ?? 300) || age > o.maxAgeSeconds) {
    throw new AppError('unauthorized', 'request timestamp is outside the accepted window');
  }
}

/** Unsigned mode: header.create_time is ms in most events but µs in some examples (FEISHU.md §a.1). */
function checkCreateTime(body: Body, o: VerifyOptions) {
  const raw = (body.header as { create_time?: unknown } | undefined)?.create_time ?? body.ts;
  if (typeof raw !== 'string' && typeof raw !== 'number') return;
  const digits = String(raw).split('.')[0]!;
  const n = Number(digits);
  if (!Number.isFinite(n)) return;
  const ms = digits.length >= 16 ? n / 1000 : digits.length >= 13 ? n : n * 1000;
  assertFresh(ms, o);
}

function tokenOf(body: Body): unknown {
  return (body.header as { token?: unknown } | undefined)?.token ?? body.token;
}

function checkToken(body: Body, token: unknown, o: VerifyOptions, required = false): Body {
  if (!o.verificationToken) {
    if (required) throw new AppError('unauthorized', 'no verification token or encrypt key configured');
    return body;
  }
  if (typeof token !== 'string' || !safeEqual(token, o.verificationToken)) throw forged();
  return body;
}

function isLegacyCard(body: Body): boolean {
  return !body.schema && !body.type && typeof body.open_message_id === 'string' && typeof body.action === 'object';
}
