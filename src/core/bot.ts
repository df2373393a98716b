import type { CoreDeps } from './module.js';
import type { CardActionResult, CommandContext, EventContext, UserRef } from './contexts.js';
import { AppError, PermanentError } from './errors.js';
import { errorText } from './text.js';
import type { Inbox, InboxEvent } from './inbox.js';
import { matchCommand, messageText, MessageEvent, suggestCommand } from './chat.js';
import type { Registry } from './registry.js';
import { parseActionValue, type CardCallback } from './card-callback.js';
import { joinMarkdown, md, shorten, type Markdown } from './cards/markdown.js';
import type { CardPart } from './cards/render.js';

export const EVENT_QUEUE = 'lark.event';
const MESSAGE_EVENT = 'im.message.receive_v1';

/** Turns stored events and card callbacks into calls on what the modules registered. */
export class Dispatcher {
  constructor(
    private readonly registry: Registry,
    private readonly deps: CoreDeps,
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
      if (final) log.error({ err, final }, 'event failed for good');
      else log.warn({ err, final }, 'event failed, will retry');
      // The error path must not throw: a failure that cannot be recorded is logged, and the job's
      // own failure (below) still drives the retry or the dead letter.
      await this.inbox
        .fail(id, errorText(err), final)
        .catch((recordErr: unknown) => log.error({ err: recordErr }, 'event failure could not be recorded'));
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
    if (message.chat_type !== 'p2p' && !message.mentions?.length) return;
    const text = messageText(message);
    const commandCtx: Omit<CommandContext, 'command' | 'args'> = {
      ...ctx,
      text: text ?? '',
      sender: {
        openId: sender.sender_id?.open_id ?? '',
        userId: sender.sender_id?.user_id,
        unionId: sender.sender_id?.union_id,
      },
      chat: { id: message.chat_id, type: message.chat_type },
      messageId: message.message_id,
      parentMessageId: message.parent_id || undefined,
      rootMessageId: message.root_id || undefined,
      reply: (body, step = 'reply') =>
        this.deps.messenger.reply({
          messageId: message.message_id,
          chatId: message.chat_id,
          key: ctx.key(step),
          ...body,
        }),
    };
    const match = text ? matchCommand(text, this.registry.commands) : undefined;
    if (!match) {
      const suggestion = text ? suggestCommand(text, this.registry.commands) : undefined;
      await commandCtx.reply(
        {
          card: this.deps.cards.render('core/hint', {
            // Echoed text is user text: shortened here, escaped by the card renderer.
            text: text ? shorten(text, 60) : `[${message.message_type}]`,
            suggestion: suggestion
              ? md`你是不是想用 **${suggestion}**？Did you mean **${suggestion}**?`
              : md`
发送 **帮助** 查看可用命令。Send **help** to see what I can do.
                `,
          }),
        },
        'hint',
      );
      ctx.log.info({ messageType: message.message_type }, 'unrecognised message answered with a hint');
      return;
    }
    ctx.log.info({ command: match.command, module: match.entry.module }, 'command');
    try {
      await match.entry.handler({ ...commandCtx, command: match.command, args: match.args });
    } catch (err) {
      // An AppError is the user's mistake or a refusal: answer it, never retry the event for it.
      if (!(err instanceof AppError)) throw err;
      ctx.log.info({ code: err.code, command: match.command }, 'command refused');
      await commandCtx.reply({ card: this.deps.cards.render('core/refused', { message: err.message }) }, 'refused');
    }
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
    const sections = new Map<string, Markdown[]>();
    const buttons: CardPart[] = [];
    for (const c of this.registry.commands) {
      for (const s of c.meta.shortcuts ?? []) {
        const type = buttons.length === 0 ? 'primary' : 'default';
        buttons.push(
          this.deps.cards.part('core/parts/help-button', {
            name: `shortcut_${buttons.length}`,
            label: s.label,
            type,
            value: { action: s.action },
          }),
        );
      }
      // One-character aliases ("?") work but would only clutter the card.
      const [first, ...others] = c.names.filter((n) => n.length > 1);
      const aliases = others.length ? ` · ${others.join(' · ')}` : '';
      // No code span: Feishu would show escaped characters inside one literally (UNCONFIRMED, CommonMark rule).
      const usage = c.meta.usage ? md`\n  用法 Usage: ${c.meta.usage}` : null;
      const lines = sections.get(c.module) ?? [];
      lines.push(md`- **${first ?? c.names[0]}**${aliases} — ${c.meta.description}${usage}`);
      sections.set(c.module, lines);
    }
    const text = joinMarkdown(
      [...sections].map(
        ([module, lines]) => md`**${this.registry.titles.get(module) ?? module}**\n${joinMarkdown(lines)}`,
      ),
      '\n\n',
    );
    const shortcuts = buttons.length ? [this.deps.cards.part('core/parts/help-shortcuts', { buttons })] : [];
    return this.deps.cards.render('core/help', { subtitle, commands: text, shortcuts });
  }
}

function errorToast(content: string): CardActionResult {
  return { toast: { type: 'error', content } };
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
