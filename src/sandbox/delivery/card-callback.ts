import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { newId } from '../ids.js';
import { buildEnvelope, postSealed, sealRequest } from './envelope.js';

export interface CardActionInput {
  operatorOpenId: string;
  messageId: string;
  action: {
    tag: string;
    value?: unknown;
    name?: string;
    form_value?: Record<string, unknown>;
    option?: string;
    options?: string[];
    input_value?: string;
    checked?: boolean;
  };
}

export interface CardActionResult {
  ok: boolean;
  toast?: { type: string; content: string };
  cardUpdated: boolean;
  /** Client-side error code Feishu would show (FEISHU.md §b.1), e.g. 200341 timeout. */
  errorCode?: number;
  errorMsg?: string;
}

const CALLBACK_TOKEN_TTL_MS = 30 * 60_000;

const CallbackAnswer = z.looseObject({
  toast: z
    .looseObject({
      type: z.string().optional(),
      content: z.string().optional(),
      i18n: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  card: z.object({ type: z.enum(['raw', 'template']), data: z.record(z.string(), z.unknown()) }).optional(),
});

function fail(errorCode: number, errorMsg: string): CardActionResult {
  return {
    ok: false,
    cardUpdated: false,
    errorCode,
    errorMsg,
    toast: { type: 'error', content: `${errorMsg} (${errorCode})` },
  };
}

/**
 * card.action.trigger: delivered synchronously to the card URL, never retried; the answer updates the card in place.
 */
export async function deliverCardAction(ctx: SandboxContext, input: CardActionInput): Promise<CardActionResult> {
  const { data } = ctx.store;
  const message = data.messages.find((m) => m.message_id === input.messageId && m.msg_type === 'interactive');
  const operator = data.users.find((u) => u.open_id === input.operatorOpenId);
  if (!message || !operator) return fail(300000, '卡片或用户不存在 Card or user not found');
  if (!ctx.endpoints.cardUrl) return fail(200340, '未配置回调地址 No callback URL configured');

  const at = ctx.now();
  for (const [old, entry] of Object.entries(data.cardTokens))
    if (entry.expiresAt < at.getTime()) delete data.cardTokens[old];
  const token = newId.cardToken();
  data.cardTokens[token] = { message_id: message.message_id, expiresAt: at.getTime() + CALLBACK_TOKEN_TTL_MS, uses: 0 };
  const envelope = buildEnvelope(
    data,
    'card.action.trigger',
    {
      operator: {
        tenant_key: data.tenant.tenant_key,
        user_id: operator.user_id,
        open_id: operator.open_id,
        union_id: operator.union_id,
      },
      token,
      action: { ...input.action, timezone: 'Asia/Shanghai' },
      host: 'im_message',
      context: { open_message_id: message.message_id, open_chat_id: message.chat_id },
    },
    at,
  );
  ctx.store.touch();

  let text: string;
  try {
    const result = await postSealed(
      ctx.endpoints.cardUrl,
      sealRequest(envelope, data.credentials.encryptKey, at),
      ctx.settings.callbackTimeoutMs,
    );
    ctx.deliverer.recordCallback(envelope, { at: at.getTime(), status: result.status }, result.status === 200);
    if (result.status !== 200)
      return fail(200671, `回调返回 HTTP ${result.status} Callback answered HTTP ${result.status}`);
    text = result.text;
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    ctx.deliverer.recordCallback(
      envelope,
      { at: at.getTime(), error: timedOut ? 'timeout' : 'connection failed' },
      false,
    );
    return timedOut
      ? fail(200341, '回调 3 秒内未响应 Callback timed out')
      : fail(200342, '无法连接回调地址 Callback connection failed');
  }

  let answer: z.infer<typeof CallbackAnswer>;
  try {
    answer = text.trim() === '' ? {} : CallbackAnswer.parse(JSON.parse(text));
  } catch {
    return fail(200672, '回调响应格式错误 Bad callback response body');
  }
  let cardUpdated = false;
  if (answer.card) {
    if (answer.card.type === 'template')
      return fail(200673, '沙箱不支持模板卡片 Templates are not available in the sandbox');
    const before = JSON.parse(message.content) as { schema?: unknown };
    if (before.schema === '2.0' && answer.card.data.schema !== '2.0')
      return fail(200830, '不能从 JSON 2.0 更新为 1.0 Card must stay JSON 2.0');
    message.content = JSON.stringify(answer.card.data);
    message.updated = true;
    message.update_time = ctx.now().getTime();
    cardUpdated = true;
    ctx.store.touch({ kind: 'message', chatId: message.chat_id });
  }
  const toast = answer.toast
    ? { type: answer.toast.type ?? 'info', content: answer.toast.i18n?.zh_cn ?? answer.toast.content ?? '' }
    : undefined;
  return { ok: true, cardUpdated, ...(toast ? { toast } : {}) };
}
