import { createHash, createHmac, randomBytes } from 'node:crypto';
import type pg from 'pg';

/** The dashboard's session cookie for `openId`, made as the sign-in does (core_sessions row + HMAC of its id). */
export async function dashboardSession(
  client: pg.Client,
  secret: string,
  openId: string,
): Promise<{ name: string; value: string }> {
  const id = randomBytes(32).toString('base64url');
  await client.query(
    `insert into core_sessions (id_hash, open_id, expires_at) values ($1, $2, now() + interval '12 hours')`,
    [createHash('sha256').update(id).digest('hex'), openId],
  );
  return { name: 'fo_session', value: `${id}.${createHmac('sha256', secret).update(id).digest('base64url')}` };
}

/** The bot's settings for a dashboard session over plain HTTP on localhost. */
export const sessionEnv = (secret: string): Record<string, string> => ({
  SESSION_SECRET: secret,
  SESSION_COOKIE_SECURE: 'false',
  SESSION_COOKIE_SAMESITE: 'lax',
});
