import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { findUser, imError } from '../im/messages.js';
import type { SandboxChat, SandboxDepartment, SandboxState, SandboxUser } from '../state/types.js';
import { OpenApiError, parseWith } from './errors.js';

const IdQuery = z.object({
  user_id_type: z.enum(['open_id', 'user_id', 'union_id']).default('open_id'),
  department_id_type: z.string().optional(),
});
const PageQuery = z.object({
  page_size: z.coerce.number().int().min(1).max(100).default(20),
  page_token: z.string().optional(),
});

export function avatarUrl(openId: string): Record<string, string> {
  const base = `https://sandbox.invalid/avatar/${openId}`;
  return { avatar_72: `${base}?s=72`, avatar_240: `${base}?s=240`, avatar_640: `${base}?s=640`, avatar_origin: base };
}

function idOf(u: SandboxUser, type: string): string {
  return type === 'user_id' ? u.user_id : type === 'union_id' ? u.union_id : u.open_id;
}

export function toApiUser(u: SandboxUser): Record<string, unknown> {
  return {
    open_id: u.open_id,
    user_id: u.user_id,
    union_id: u.union_id,
    name: u.name,
    en_name: u.en_name,
    email: u.email,
    mobile: u.mobile,
    department_ids: u.department_ids,
    job_title: u.job_title,
    avatar: avatarUrl(u.open_id),
    status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false },
  };
}

function toApiDepartment(d: SandboxDepartment, state: SandboxState): Record<string, unknown> {
  return {
    department_id: d.department_id,
    open_department_id: d.open_department_id,
    name: d.name,
    i18n_name: { zh_cn: d.name, en_us: d.en_name },
    parent_department_id: d.parent_department_id,
    ...(d.leader_user_id ? { leader_user_id: d.leader_user_id } : {}),
    member_count: state.users.filter((u) => u.department_ids.includes(d.department_id)).length,
    status: { is_deleted: false },
  };
}

function findDepartment(state: SandboxState, id: string): SandboxDepartment | undefined {
  return state.departments.find((d) => d.department_id === id || d.open_department_id === id);
}

/** Offset paging with an opaque token. */
export function page<T>(
  items: T[],
  size: number,
  token: string | undefined,
): { items: T[]; has_more: boolean; page_token?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) || 0 : 0;
  const slice = items.slice(start, start + size);
  const more = start + size < items.length;
  return {
    items: slice,
    has_more: more,
    ...(more ? { page_token: Buffer.from(String(start + size)).toString('base64url') } : {}),
  };
}

function toApiChat(c: SandboxChat, state: SandboxState): Record<string, unknown> {
  return {
    chat_id: c.chat_id,
    avatar: `https://sandbox.invalid/chat/${c.chat_id}`,
    name: c.name,
    description: c.description,
    owner_id: c.owner_open_id,
    owner_id_type: 'open_id',
    external: false,
    tenant_key: state.tenant.tenant_key,
    chat_status: 'normal',
  };
}

export function contactRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const { data } = ctx.store;
  const ok = (payload: unknown) => ({ code: 0, msg: 'success', data: payload });

  app.get('/open-apis/contact/v3/users/:user_id', async (request) => {
    const { user_id_type } = parseWith(IdQuery, request.query);
    const { user_id } = request.params as { user_id: string };
    const user = findUser(data, user_id_type, user_id);
    if (!user) throw new OpenApiError(41050, 'no user authority error', 400);
    return ok({ user: toApiUser(user) });
  });

  app.post('/open-apis/contact/v3/users/batch_get_id', async (request) => {
    const { user_id_type } = parseWith(IdQuery, request.query);
    const body = parseWith(
      z.object({ emails: z.array(z.string()).max(50).optional(), mobiles: z.array(z.string()).max(50).optional() }),
      request.body,
    );
    const byEmail = (body.emails ?? []).map((email) => {
      const u = data.users.find((x) => x.email === email);
      return {
        email,
        ...(u ? { user_id: idOf(u, user_id_type) } : {}),
        status: { is_activated: Boolean(u), is_frozen: false, is_resigned: false, is_exited: false },
      };
    });
    const byMobile = (body.mobiles ?? []).map((mobile) => {
      const u = data.users.find((x) => x.mobile === mobile || x.mobile.replace(/^\+86/, '') === mobile);
      return {
        mobile,
        ...(u ? { user_id: idOf(u, user_id_type) } : {}),
        status: { is_activated: Boolean(u), is_frozen: false, is_resigned: false, is_exited: false },
      };
    });
    return ok({ user_list: [...byEmail, ...byMobile] });
  });

  app.get('/open-apis/contact/v3/users/find_by_department', async (request) => {
    const q = parseWith(PageQuery.extend({ department_id: z.string() }), request.query);
    const dept = findDepartment(data, q.department_id);
    if (!dept) throw new OpenApiError(40004, 'no dept authority error', 400);
    const members = data.users.filter((u) => u.department_ids.includes(dept.department_id)).map(toApiUser);
    return ok(page(members, q.page_size, q.page_token));
  });

  app.get('/open-apis/contact/v3/departments/:department_id', async (request) => {
    const dept = findDepartment(data, (request.params as { department_id: string }).department_id);
    if (!dept) throw new OpenApiError(40004, 'no dept authority error', 400);
    return ok({ department: toApiDepartment(dept, data) });
  });

  app.get('/open-apis/contact/v3/departments/:department_id/children', async (request) => {
    const q = parseWith(PageQuery.extend({ fetch_child: z.enum(['true', 'false']).optional() }), request.query);
    const id = (request.params as { department_id: string }).department_id;
    const parent = id === '0' ? '0' : findDepartment(data, id)?.department_id;
    if (!parent) throw new OpenApiError(40004, 'no dept authority error', 400);
    const descendants = (pid: string): SandboxDepartment[] =>
      data.departments
        .filter((d) => d.parent_department_id === pid)
        .flatMap((d) => (q.fetch_child === 'true' ? [d, ...descendants(d.department_id)] : [d]));
    return ok(
      page(
        descendants(parent).map((d) => toApiDepartment(d, data)),
        q.page_size,
        q.page_token,
      ),
    );
  });

  app.get('/open-apis/im/v1/chats', async (request) => {
    const q = parseWith(PageQuery, request.query);
    return ok(
      page(
        data.chats.filter((c) => c.chat_type === 'group').map((c) => toApiChat(c, data)),
        q.page_size,
        q.page_token,
      ),
    );
  });

  app.get('/open-apis/im/v1/chats/:chat_id', async (request) => {
    const chat = data.chats.find((c) => c.chat_id === (request.params as { chat_id: string }).chat_id);
    if (!chat) throw imError('invalid chat_id');
    return ok({
      ...toApiChat(chat, data),
      chat_mode: 'group',
      chat_type: chat.chat_type === 'p2p' ? 'p2p' : 'private',
      user_count: String(chat.members.length),
      bot_count: '1',
    });
  });

  app.get('/open-apis/im/v1/chats/:chat_id/members', async (request) => {
    const q = parseWith(
      PageQuery.extend({ member_id_type: z.enum(['open_id', 'user_id', 'union_id']).default('open_id') }),
      request.query,
    );
    const chat = data.chats.find((c) => c.chat_id === (request.params as { chat_id: string }).chat_id);
    if (!chat) throw imError('invalid chat_id');
    const members = chat.members
      .map((id) => data.users.find((u) => u.open_id === id))
      .filter((u): u is SandboxUser => Boolean(u))
      .map((u) => ({
        member_id_type: q.member_id_type,
        member_id: idOf(u, q.member_id_type),
        name: u.name,
        tenant_key: data.tenant.tenant_key,
      }));
    return ok({ ...page(members, q.page_size, q.page_token), member_total: members.length });
  });
}
