import type { CardActionContext, CardActionResult, CommandContext, EventContext } from '../../core/contexts.js';
import { memberFacts, messageFact } from './logic/chat-events.js';
import type { CommunityService } from './service/index.js';
import type { AckValue, MuteValue } from './values.js';

/** 确认 / 静默 N 天: one service call; the toast says whether this click did it or it was already done. */
export function handleDecision(svc: CommunityService) {
  return async (ctx: CardActionContext<AckValue | MuteValue>): Promise<CardActionResult> => {
    const mute = ctx.value.action === 'community.mute';
    const r = await svc.decideAlert(
      {
        alertId: ctx.value.alertId,
        version: ctx.value.version,
        decision: mute ? 'muted' : 'acknowledged',
        days: mute ? (ctx.value as MuteValue).days : undefined,
        by: ctx.operator.openId,
      },
      ctx.now,
    );
    if (!r.changed)
      return {
        toast: { type: 'info', content: '该预警已处理，卡片已更新 · Already handled; the card shows where it stands' },
        card: r.card,
      };
    const content = mute
      ? `已静默 ${(ctx.value as MuteValue).days} 天 · Muted for ${(ctx.value as MuteValue).days} days`
      : '已确认 · Acknowledged';
    return { toast: { type: 'success', content }, card: r.card };
  };
}

export const USAGE = '社群 <名称|编码> · 社群 周报 · 社群 日报 · 社群 绑定 [编码] · 社群 日报群（在群里 in a group）';

/** `社群 周报`, `社群 日报`, `社群 <名称|编码>`: the report card as a reply. */
export function handleCommunityCommand(
  svc: CommunityService,
  saveReporting: (value: { digestChatId: string }, by: string) => Promise<unknown>,
) {
  return async (ctx: CommandContext) => {
    const args = ctx.args.trim();
    if (/^(日报群|digest[- ]group)$/i.test(args)) {
      const input = { chatId: ctx.chat.id, chatType: ctx.chat.type, senderOpenId: ctx.sender.openId };
      return ctx.reply({ card: await svc.setDigestChat(input, saveReporting) }, 'digest-group');
    }
    const bind = /^(绑定|bind)(?:\s+(.*))?$/is.exec(args);
    if (bind) {
      const input = {
        chatId: ctx.chat.id,
        chatType: ctx.chat.type,
        senderOpenId: ctx.sender.openId,
        args: bind[2] ?? '',
      };
      return ctx.reply({ card: await svc.bindChat(input, ctx.now) }, 'bound');
    }
    const viewer = ctx.sender.openId;
    if (/^(周报|weekly|week)$/i.test(args))
      return ctx.reply({ card: await svc.weeklyReport(ctx.now, viewer) }, 'weekly');
    if (args === '' || /^(日报|daily|digest)$/i.test(args))
      return ctx.reply({ card: await svc.dailyDigest(ctx.now, viewer) }, 'digest');
    await ctx.reply({ card: await svc.communityReport(args, ctx.now, viewer) }, 'community');
  };
}

/** Member events and group messages of a group bound as a community become its daily counts. */
export function handleChatEvent(svc: CommunityService) {
  return async (ctx: EventContext): Promise<void> => {
    const now = ctx.now.getTime();
    const facts =
      ctx.eventType === 'im.message.receive_v1'
        ? [messageFact(ctx.eventId, ctx.event, now)].filter((f) => f !== undefined)
        : memberFacts(ctx.eventType, ctx.eventId, ctx.event, ctx.header, now);
    if (facts.length > 0) await svc.recordChatFacts(facts, ctx.now);
  };
}
