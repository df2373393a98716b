import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time string comparison that also hides the expected length: both sides are hashed to
 * 32 bytes first, so the time taken says nothing about where, or whether in length, they differ.
 */
export function safeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
