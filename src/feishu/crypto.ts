import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Feishu event encryption: AES-256-CBC, key = SHA256(encrypt key), random 16-byte IV,
// wire value = base64(iv + ciphertext), PKCS7 padding (FEISHU.md §a.3).
function aesKey(encryptKey: string): Buffer {
  return createHash('sha256').update(encryptKey, 'utf8').digest();
}

export function decryptEvent(encrypted: string, encryptKey: string): string {
  const raw = Buffer.from(encrypted, 'base64');
  if (raw.length < 32 || raw.length % 16 !== 0) throw new Error('ciphertext has an invalid length');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(encryptKey), raw.subarray(0, 16));
  return Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]).toString('utf8');
}

export function encryptEvent(plaintext: string, encryptKey: string, iv: Buffer = randomBytes(16)): string {
  const cipher = createCipheriv('aes-256-cbc', aesKey(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

// X-Lark-Signature = hex(sha256(timestamp + nonce + encrypt_key + raw body)); the body is hashed
// as received, never re-serialised (FEISHU.md §a.4 — the SDK's own check gets this wrong).
export function eventSignature(timestamp: string, nonce: string, encryptKey: string, body: Buffer | string): string {
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey, 'utf8')
    .update(body)
    .digest('hex');
}

// Legacy card.action.trigger_v1: hex(sha1(timestamp + nonce + verification_token + raw body)).
export function legacyCardSignature(timestamp: string, nonce: string, token: string, body: Buffer | string): string {
  return createHash('sha1')
    .update(timestamp + nonce + token, 'utf8')
    .update(body)
    .digest('hex');
}

export { safeEqual } from '../core/crypto.js';

export interface SealedEvent {
  body: string;
  headers: Record<string, string>;
}

/**
 * A body as Feishu sends it when an Encrypt Key is set: `{"encrypt": …}` plus the signature
 * headers over exactly those bytes (FEISHU.md §a.3, §a.4). The sandbox delivers with it; tests
 * and benchmarks build requests with it.
 */
export function sealEvent(
  envelope: unknown,
  encryptKey: string,
  at: Date = new Date(),
  nonce: string = randomBytes(8).toString('hex'),
): SealedEvent {
  const body = JSON.stringify({ encrypt: encryptEvent(JSON.stringify(envelope), encryptKey) });
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-lark-request-timestamp': timestamp,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': eventSignature(timestamp, nonce, encryptKey, body),
    },
  };
}
