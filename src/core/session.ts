import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SqlExecutor } from '../db/client.js';
import { safeEqual } from './crypto.js';

export interface Viewer {
  openId: string;
  name: string;
}

/** Cookie attributes come from configuration, never from a request header. */
export interface CookiePolicy {
  secure: boolean;
  sameSite: 'none' | 'lax' | 'strict';
}

export interface SessionOptions {
  /** Signs the cookie; without it one is made per process, and sign-ins end with the process. */
  secret: string | undefined;
  /** Where sessions live (core_sessions): every instance sees a logout at once. */
  database: SqlExecutor;
  now: () => number;
  cookie: CookiePolicy;
  /** The viewer for an open_id while that person may use the dashboard, else null. Asked on every read. */
  admit(openId: string): Promise<Viewer | null>;
  ttlHours?: number;
}

export const SESSION_COOKIE = 'fo_session';

const SAME_SITE = { none: 'None', lax: 'Lax', strict: 'Strict' } as const;

/**
 * Dashboard sessions: the cookie holds a random id and its HMAC (SESSION_SECRET); core_sessions
 * holds the id's SHA-256, the person and the expiry. A forged cookie is refused without a query;
 * a logged-out or expired one finds no row; a deactivated person is refused by `admit`.
 */
export function createSessions(options: SessionOptions) {
  const key = options.secret ?? randomBytes(32).toString('hex');
  const ttlHours = options.ttlHours ?? 12;
  const sign = (id: string) => createHmac('sha256', key).update(id).digest('base64url');
  const hash = (id: string) => createHash('sha256').update(id).digest('hex');
  const at = (ms: number) => new Date(ms).toISOString();
  const secure = options.cookie.secure ? '; Secure' : '';
  const attributes = `HttpOnly; Path=/; SameSite=${SAME_SITE[options.cookie.sameSite]}${secure}`;

  /** The session id of a cookie whose signature holds. */
  function sessionId(req: FastifyRequest): string | undefined {
    const raw = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (!raw) return undefined;
    const [id, mac, ...rest] = raw.split('.');
    return id && mac && rest.length === 0 && safeEqual(sign(id), mac) ? id : undefined;
  }

  return {
    ephemeral: options.secret === undefined,

    async issue(reply: FastifyReply, viewer: Viewer): Promise<void> {
      const id = randomBytes(32).toString('base64url');
      const now = options.now();
      // Expired rows go at each sign-in, so the table holds little more than live sessions.
      await options.database.query('delete from core_sessions where expires_at <= $1::timestamptz', [at(now)]);
      await options.database.query(
        'insert into core_sessions (id_hash, open_id, expires_at) values ($1, $2, $3::timestamptz)',
        [hash(id), viewer.openId, at(now + ttlHours * 3_600_000)],
      );
      reply.header('set-cookie', `${SESSION_COOKIE}=${id}.${sign(id)}; Max-Age=${ttlHours * 3600}; ${attributes}`);
    },

    /** Ends this cookie's session everywhere and tells the browser to drop it. */
    async revoke(req: FastifyRequest, reply: FastifyReply): Promise<void> {
      const id = sessionId(req);
      if (id) await options.database.query('delete from core_sessions where id_hash = $1', [hash(id)]);
      reply.header('set-cookie', `${SESSION_COOKIE}=; Max-Age=0; ${attributes}`);
    },

    async read(req: FastifyRequest): Promise<Viewer | null> {
      const id = sessionId(req);
      if (!id) return null;
      const { rows } = await options.database.query<{ openId: string }>(
        'select open_id as "openId" from core_sessions where id_hash = $1 and expires_at > $2::timestamptz',
        [hash(id), at(options.now())],
      );
      const openId = rows[0]?.openId;
      return openId ? options.admit(openId) : null;
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
    /** The dashboard user, from a live session of a person still active in the directory. */
    viewer: Viewer | null;
  }
}
