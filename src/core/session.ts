import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../feishu/crypto.js';

export interface Viewer {
  openId: string;
  name: string;
}

interface Payload extends Viewer {
  exp: number;
}

export const SESSION_COOKIE = 'fo_session';

/**
 * Dashboard sessions in a signed cookie (HMAC-SHA256 with SESSION_SECRET): no server-side
 * store, so every instance can read them. Without a secret one is made per process, and
 * sessions end with it.
 */
export function createSessions(secret: string | undefined, now: () => number, ttlHours = 12) {
  const key = secret ?? randomBytes(32).toString('hex');
  const sign = (body: string) => createHmac('sha256', key).update(body).digest('base64url');

  return {
    ephemeral: secret === undefined,

    issue(reply: FastifyReply, viewer: Viewer, secure: boolean): void {
      const body = Buffer.from(JSON.stringify({ ...viewer, exp: now() + ttlHours * 3_600_000 } satisfies Payload)).toString('base64url');
      // SameSite=None is what a page inside the Feishu client's webview needs; it requires Secure.
      const attrs = secure ? 'HttpOnly; Path=/; SameSite=None; Secure' : 'HttpOnly; Path=/; SameSite=Lax';
      reply.header('set-cookie', `${SESSION_COOKIE}=${body}.${sign(body)}; Max-Age=${ttlHours * 3600}; ${attrs}`);
    },

    clear(reply: FastifyReply): void {
      reply.header('set-cookie', `${SESSION_COOKIE}=; Max-Age=0; HttpOnly; Path=/; SameSite=Lax`);
    },

    read(req: FastifyRequest): Viewer | null {
      const raw = cookieValue(req.headers.cookie, SESSION_COOKIE);
      if (!raw) return null;
      const [body, mac] = raw.split('.');
      if (!body || !mac || !safeEqual(sign(body), mac)) return null;
      try {
        const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
        return typeof p.openId === 'string' && typeof p.exp === 'number' && p.exp > now() ? { openId: p.openId, name: String(p.name ?? '') } : null;
      } catch {
        return null;
      }
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The dashboard user, from a valid session cookie. */
    viewer: Viewer | null;
  }
}
