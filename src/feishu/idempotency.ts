import { createHash } from 'node:crypto';

/**
 * Deterministic idempotency keys: the same job or event and the same step always give the same
 * key, so a retried job can never create a second message (uuid, honoured for 1 h, ≤ 50 chars,
 * FEISHU.md §c) or a second Bitable record (client_token, a UUID).
 */
export function messageUuid(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 40);
}

export function clientToken(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  // Shaped as a version-4 UUID so strict validators accept it.
  return (
    `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}` +
    `${h.slice(17, 20)}` +
    `-${h.slice(20, 32)}`
  );
}
