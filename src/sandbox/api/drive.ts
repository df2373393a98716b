import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { OpenApiError, parseWith } from './errors.js';

const SubscribeQuery = z.object({ file_type: z.string(), event_type: z.string().optional() });

/** Drive subscription: after it, people's edits in a Base arrive as drive.file.bitable_record_changed_v1. */
export function driveRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const path = '/open-apis/drive/v1/files/:file_token/subscribe';
  const fileOf = (request: FastifyRequest) => {
    const q = parseWith(SubscribeQuery, request.query, (d) => new OpenApiError(1061002, `params error: ${d}`, 400));
    if (q.file_type !== 'bitable')
      throw new OpenApiError(1061002, 'params error: the sandbox only has bitable files', 400);
    const token = (request.params as { file_token: string }).file_token;
    if (!ctx.store.data.apps[token]) throw new OpenApiError(1061007, 'file has been delete.', 400);
    return { token, fileType: q.file_type };
  };

  app.post(path, async (request) => {
    const { token, fileType } = fileOf(request);
    ctx.store.data.subscriptions[token] = { file_type: fileType, at: ctx.now().getTime() };
    ctx.store.touch({ kind: 'bitable', appToken: token });
    return { code: 0, msg: 'success', data: {} };
  });

  // The SDK's getSubscribe / deleteSubscribe use get_subscribe / delete_subscribe; the docs' GET/DELETE on /subscribe
  // too.
  const status = async (request: FastifyRequest) => {
    const { token } = fileOf(request);
    return { code: 0, msg: 'success', data: { is_subscribe: Boolean(ctx.store.data.subscriptions[token]) } };
  };
  const unsubscribe = async (request: FastifyRequest) => {
    const { token } = fileOf(request);
    delete ctx.store.data.subscriptions[token];
    ctx.store.touch({ kind: 'bitable', appToken: token });
    return { code: 0, msg: 'success', data: {} };
  };
  app.get(path, status);
  app.get('/open-apis/drive/v1/files/:file_token/get_subscribe', status);
  app.delete(path, unsubscribe);
  app.delete('/open-apis/drive/v1/files/:file_token/delete_subscribe', unsubscribe);

  permissionRoutes(app, ctx);
}

const MemberBody = z.object({
  member_type: z.enum([
    'email',
    'openid',
    'unionid',
    'openchat',
    'opendepartmentid',
    'userid',
    'groupid',
    'wikispaceid',
    'appid',
  ]),
  member_id: z.string().min(1),
  perm: z.enum(['view', 'edit', 'full_access']),
  type: z.string().optional(),
});
const TypeQuery = z.object({ type: z.string() });
const permError = (code: number, msg: string) => new OpenApiError(code, msg, 400);

/**
 * Drive permissions of a Base (FEISHU.md §m.1): collaborators and owner transfer, with the refusals
 * the docs name — departments for the app's identity (1063001), chats the bot is not in, people
 * outside the tenant, an existing higher permission (1063003), transfer by a non-owner (1063002).
 */
function permissionRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const base = (request: FastifyRequest) => {
    const q = parseWith(TypeQuery, request.query, (d) => permError(1063001, `params error: ${d}`));
    if (q.type !== 'bitable') throw permError(1063001, 'params error: the sandbox only has bitable files');
    const token = (request.params as { token: string }).token;
    const found = ctx.store.data.apps[token];
    if (!found) throw permError(1063005, 'resource deleted');
    return found;
  };
  const RANK = { view: 0, edit: 1, full_access: 2 } as const;

  app.post('/open-apis/drive/v1/permissions/:token/members', async (request) => {
    const target = base(request);
    const body = parseWith(MemberBody, request.body, (d) => permError(1063001, `params error: ${d}`));
    if (body.member_type === 'opendepartmentid')
      throw permError(1063001, 'department is not supported with tenant_access_token');
    if (body.member_type !== 'openid' && body.member_type !== 'openchat')
      throw permError(1063001, `sandbox: member_type ${body.member_type} not modelled`);
    if (body.member_type === 'openid' && !ctx.store.data.users.some((u) => u.open_id === body.member_id))
      throw permError(1063003, 'not allowed: user not visible');
    if (body.member_type === 'openchat') {
      // The bot is a member of every sandbox chat, so an unknown chat is the only refusal here.
      if (!ctx.store.data.chats.some((c) => c.chat_id === body.member_id))
        throw permError(1063003, 'not allowed: the bot is not in this chat');
    }
    if (target.owner === body.member_id) throw permError(1063003, 'not allowed: target is the owner');
    const members = (target.members ??= []);
    const existing = members.find((m) => m.member_id === body.member_id);
    if (existing && RANK[existing.perm] > RANK[body.perm])
      throw permError(1063003, 'not allowed: existing perm higher');
    const member = {
      member_type: body.member_type,
      member_id: body.member_id,
      perm: body.perm,
      type: body.member_type === 'openid' ? ('user' as const) : ('chat' as const),
    };
    if (existing) Object.assign(existing, member);
    else members.push(member);
    ctx.store.touch({ kind: 'bitable', appToken: target.app_token });
    return { code: 0, msg: 'success', data: { member } };
  });

  app.get('/open-apis/drive/v1/permissions/:token/members', async (request) => {
    const target = base(request);
    return { code: 0, msg: 'success', data: { items: target.members ?? [] } };
  });

  app.post('/open-apis/drive/v1/permissions/:token/members/transfer_owner', async (request) => {
    const target = base(request);
    const body = parseWith(
      z.object({ member_type: z.enum(['email', 'openid', 'userid']), member_id: z.string().min(1) }),
      request.body,
      (d) => permError(1063001, `params error: ${d}`),
    );
    if (target.owner) throw permError(1063002, 'no permission: the app is not the owner');
    if (body.member_type !== 'openid' || !ctx.store.data.users.some((u) => u.open_id === body.member_id))
      throw permError(1063003, 'not allowed: user not visible');
    // Defaults (§m.1): remove_old_owner=false, old_owner_perm=full_access — the app stays a collaborator.
    target.owner = body.member_id;
    target.members = (target.members ?? []).filter((m) => m.member_id !== body.member_id);
    ctx.store.touch({ kind: 'bitable', appToken: target.app_token });
    return { code: 0, msg: 'success', data: {} };
  });
}
