import type { Deps } from './module.js';
import type { CardActionResult, CommandContext, EventContext, UserRef } from './contexts.js';
import { AppError, errorMessage, PermanentError } from './errors.js';
import type { Inbox, InboxEvent } from './inbox.js';
import { matchCommand, messageText, MessageEvent, suggestCommand } from './chat.js';
import type { Registry } from './registry.js';
import { parseActionValue, type CardCallback } from './card-callback.js';

export const EVENT_QUEUE = 'lark.event';
const MESSAGE_EVENT = 'im.message.receive_v1';

/** Turns stored events and card callbacks into calls on what the modules registered. */
export class Dispatcher {
  constructor(
    private readonly registry: Registry,
    private readonly deps: Omit<Deps, 'jobs'> & { jobs?: Deps['jobs'] },
    private readonly inbox: Inbox,
  ) {}

  handles(eventType: string): boolean {
    return eventType === MESSAGE_EVENT || this.registry.events.has(eventType);
  }

  /** The queue worker for one stored event. Throws to have pg-boss retry it. */
  async runEvent(id: number, meta: { retryCount: number; retryLimit: number }): Promise<void> {
    const event = await this.inbox.start(id);
    if (!event) return; // finished by an earlier run: a redelivered job does nothing
    const log = this.deps.log.child({ eventId: event.eventId, eventType: event.eventType, attempt: event.attempts });
    try {
      await this.dispatch(event, log);
      await this.inbox.finish(id, 'done');
      log.info('event processed');
    } catch (err) {
      const final = err instanceof PermanentError || meta.retryCount >= meta.retryLimit;
      await this.inbox.fail(id, errorMessage(err), final);
      log.error({ err, final }, final ? 'event failed for good' : 'event failed, will retry');
      if (!(err instanceof PermanentError)) throw err;
    }
  }

  private async dispatch(stored: InboxEvent, log: EventContext['log']): Promise<void> {
    const payload = stored.payload as { header?: Record<string, unknown>; event?: Record<string, unknown> };
    const ctx: EventContext = {
      eventId: stored.eventId,
      eventType: stored.eventType,
      event: (payload.event ?? payload) as Record<string, unknown>,
      header: payload.header ?? {},
      attempt: stored.attempts,
      log,
      now: this.deps.clock.now(),
      key: (step) => `${stored.eventId}:${step}`,
    };
    if (stored.eventType === MESSAGE_EVENT) await this.routeMessage(ctx);
    for (const { handler } of this.registry.events.get(stored.eventType) ?? []) await handler(ctx);
  }

  private async routeMessage(ctx: EventContext): Promise<void> {
    const parsed = MessageEvent.safeParse(ctx.event);
    if (!parsed.success) throw new PermanentError(`malformed message event: ${parsed.error.issues[0]?.message}`);
    const { message, sender } = parsed.data;
    if (sender.sender_type && sender.sender_type !== 'user') return; // never answer bots, ourselves included
    // In groups the bot speaks only when @-mentioned, even with the read-all-messages scope.
    if (message.chat_type !== 'p2p' && !(message.mentions?.length)) return;
    const text = messageText(message);
    const commandCtx: Omit<CommandContext, 'command' | 'args'> = {
      ...ctx,
      text: text ?? '',
      sender: { openId: sender.sender_id?.open_id ?? '', userId: sender.sender_id?.user_id, unionId: sender.sender_id?.union_id },
      chat: { id: message.chat_id, type: message.chat_type },
      messageId: message.message_id,
      reply: async (body, step = 'reply') => {
        await this.deps.feishu.messages.reply({ messageId: message.message_id, chatId: message.chat_id, key: ctx.key(step), ...body });
      },
    };
    const match = text ? matchCommand(text, this.registry.commands) : undefined;
    if (!match) {
      const suggestion = text ? suggestCommand(text, this.registry.commands) : undefined;
      await commandCtx.reply({
        card: this.deps.cards.render('core/hint', {
          text: text ? truncate(text, 60) : `[${message.message_type}]`,
          suggestion: suggestion
            ? `你是不是想用 **${suggestion}**？Did you mean **${suggestion}**?`
            : '发送 **帮助** 查看可用命令。Send **help** to see what I can do.',
        }),
      }, 'hint');
      ctx.log.info({ messageType: message.message_type }, 'unrecognised message answered with a hint');
      return;
    }
    ctx.log.info({ command: match.command, module: match.entry.module }, 'command');
    await match.entry.handler({ ...commandCtx, command: match.command, args: match.args });
  }

  /** Card callbacks answer synchronously (Feishu waits 3 s, never re-pushes). */
  async runCardAction(callback: CardCallback, eventId: string): Promise<CardActionResult> {
    const parsedValue = parseActionValue(callback.action.value);
    const name = parsedValue?.action;
    const log = this.deps.log.child({ eventId, action: name ?? null });
    if (!name) return errorToast('无法识别的操作 · Unrecognised action');
    const entry = this.registry.cardActions.get(name);
    if (!entry) {
      log.warn('unknown card action');
      return errorToast(`未知操作 ${truncate(name, 40)} · Unknown action`);
    }
    const value = entry.schema.safeParse(parsedValue);
    if (!value.success) {
      log.warn({ issues: value.error.issues.slice(0, 3) }, 'card action value rejected');
      return errorToast('卡片数据无效，请刷新后重试 · Invalid card data, please refresh and retry');
    }
    const operator: UserRef = {
      openId: callback.operator.open_id ?? '',
      userId: callback.operator.user_id,
      unionId: callback.operator.union_id,
    };
    if (!operator.openId) return errorToast('无法识别操作人 · Unknown operator');
    try {
      const result = await entry.handler({
        eventId,
        action: name,
        value: value.data,
        formValue: callback.action.form_value ?? {},
        inputValue: callback.action.input_value,
        option: callback.action.option,
        operator,
        messageId: callback.context?.open_message_id,
        chatId: callback.context?.open_chat_id,
        token: callback.token,
        log,
        now: this.deps.clock.now(),
      });
      log.info({ operator: operator.openId }, 'card action applied');
      return result;
    } catch (err) {
      if (err instanceof AppError) {
        log.info({ code: err.code }, 'card action refused');
        return errorToast(err.message);
      }
      log.error({ err }, 'card action failed');
      return errorToast(`操作失败，请稍后重试（编号 ${eventId}）· Something went wrong, please retry`);
    }
  }

  helpCard(subtitle = '可用命令 Commands') {
    const sections = new Map<string, string[]>();
    for (const c of this.registry.commands) {
      // One-character aliases ("?") work but would only clutter the card.
      const [first, ...others] = c.names.filter((n) => n.length > 1);
      const aliases = others.length ? ` · ${others.join(' · ')}` : '';
      const usage = c.meta.usage ? `\n  用法 Usage: \`${c.meta.usage}\`` : '';
      const lines = sections.get(c.module) ?? [];
      lines.push(`- **${first ?? c.names[0]}**${aliases} — ${c.meta.description}${usage}`);
      sections.set(c.module, lines);
    }
    const text = [...sections]
      .map(([module, lines]) => `**${this.registry.titles.get(module) ?? module}**\n${lines.join('\n')}`)
      .join('\n\n');
    return this.deps.cards.render('core/help', { subtitle, commands: text });
  }
}

function errorToast(content: string): CardActionResult {
  return { toast: { type: 'error', content } };
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
