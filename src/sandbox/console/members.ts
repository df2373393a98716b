import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OpenApiError, parseWith } from '../api/errors.js';
import type { SandboxContext } from '../context.js';
import type { ConsoleActions } from './actions.js';
import { chatView } from './views.js';

const MemberChange = z.object({ user: z.string().min(1), change: z.enum(['added', 'deleted']) });

/**
 * The console's 邀请入群 / 有人退群 buttons on a group (a group bound as a community counts them): someone not
 * in the group is invited by the person acting, or the newest other member leaves. The events are the ones
 * Feishu sends (`im.chat.member.user.added_v1` / `deleted_v1`, see changeGroupMembers for their shape).
 */
export function memberRoutes(app: FastifyInstance, ctx: SandboxContext, actions: ConsoleActions): void {
  app.post('/sandbox/api/chats/:chat_id/members', async (request) => {
    const body = parseWith(MemberChange, request.body, (d) => new OpenApiError(400, `bad request: ${d}`, 400));
    const chatId = (request.params as { chat_id: string }).chat_id;
    const { data } = ctx.store;
    const chat = data.chats.find((c) => c.chat_id === chatId && c.chat_type === 'group');
    if (!chat) throw new OpenApiError(404, 'chat not found', 404);
    const who =
      body.change === 'added'
        ? data.users.find((u) => !chat.members.includes(u.open_id))?.open_id
        : chat.members.filter((m) => m !== body.user).at(-1);
    if (!who)
      throw new OpenApiError(409, body.change === 'added' ? 'everyone is in the group' : 'nobody to leave', 409);
    // Leaving is the member's own act; an invitation is the acting person's.
    const operator = body.change === 'added' ? body.user : who;
    const changed = actions.changeGroupMembers({
      change: body.change,
      operatorOpenId: operator,
      chatId,
      userOpenIds: [who],
    });
    return { user: who, chat: chatView(data, changed) };
  });
}
