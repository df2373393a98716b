import Fastify, { type FastifyInstance } from 'fastify';
import * as lark from '@larksuiteoapi/node-sdk';
import { decryptEvent, eventSignature, safeEqual } from '../../src/feishu/crypto.js';
import type { SandboxHandle } from '../../src/sandbox/index.js';

export interface ReceivedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  envelope: { schema: string; header: Record<string, string>; event: Record<string, unknown> };
  signatureValid: boolean;
}

/** Verifies the signature over the raw body, then decrypts — what a real bot must do. */
export function openRequest(
  path: string,
  headers: ReceivedRequest['headers'],
  rawBody: string,
  encryptKey: string,
): ReceivedRequest {
  const ts = String(headers['x-lark-request-timestamp'] ?? '');
  const nonce = String(headers['x-lark-request-nonce'] ?? '');
  const signatureValid = safeEqual(
    eventSignature(ts, nonce, encryptKey, rawBody),
    String(headers['x-lark-signature'] ?? ''),
  );
  const { encrypt } = JSON.parse(rawBody) as { encrypt: string };
  return {
    path,
    headers,
    rawBody,
    signatureValid,
    envelope: JSON.parse(decryptEvent(encrypt, encryptKey)) as ReceivedRequest['envelope'],
  };
}

/** A Fastify receiver that keeps raw bodies; `answer` decides status and body per request. */
export async function startReceiver(
  encryptKey: string,
  answer: (req: ReceivedRequest) => Promise<{ status?: number; body?: unknown }> | { status?: number; body?: unknown },
): Promise<{ url: string; received: ReceivedRequest[]; app: FastifyInstance }> {
  const app = Fastify();
  const received: ReceivedRequest[] = [];
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_r, body, done) => done(null, body));
  app.post('/*', async (request, reply) => {
    const req = openRequest(request.url, request.headers, String(request.body), encryptKey);
    received.push(req);
    const { status = 200, body = {} } = await answer(req);
    return reply.status(status).send(body);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, received, app };
}

export const helpCard = (clicks = 0) => ({
  schema: '2.0',
  config: { update_multi: true },
  header: {
    title: { tag: 'plain_text', content: '运营助手 · 帮助 Help' },
    subtitle: { tag: 'plain_text', content: '我能帮你做这些 What I can do' },
    template: 'blue',
  },
  body: {
    elements: [
      {
        tag: 'markdown',
        content:
          '**常用命令 Commands**\n- `异常件` 登记异常件 *exception parcels*\n- `质检` 查看质检任务\n- [使用手册 Guide](https:' +
          '//example.com/guide)',
      },
      { tag: 'hr' },
      {
        tag: 'column_set',
        columns: [
          {
            tag: 'column',
            width: 'auto',
            elements: [
              {
                tag: 'button',
                text: { tag: 'plain_text', content: `知道了 Got it${clicks ? ` (${clicks})` : ''}` },
                type: 'primary',
                behaviors: [{ type: 'callback', value: { action: 'help.ack' } }],
              },
            ],
          },
          {
            tag: 'column',
            width: 'auto',
            elements: [
              {
                tag: 'button',
                text: { tag: 'plain_text', content: '清空 Reset' },
                type: 'danger',
                confirm: {
                  title: { tag: 'plain_text', content: '确认清空？' },
                  text: { tag: 'plain_text', content: '此操作不可撤销 Cannot be undone' },
                },
                behaviors: [{ type: 'callback', value: { action: 'help.reset' } }],
              },
            ],
          },
        ],
      },
      {
        tag: 'form',
        name: 'quick_form',
        elements: [
          {
            tag: 'input',
            name: 'order_no',
            label: { tag: 'plain_text', content: '订单号 Order no.' },
            placeholder: { tag: 'plain_text', content: '例如 TM20240501' },
          },
          {
            tag: 'select_static',
            name: 'kind',
            label: { tag: 'plain_text', content: '类型 Kind' },
            options: [
              { text: { tag: 'plain_text', content: '破损 Damaged' }, value: 'damaged' },
              { text: { tag: 'plain_text', content: '丢件 Lost' }, value: 'lost' },
            ],
          },
          { tag: 'select_person', name: 'owner', label: { tag: 'plain_text', content: '负责人 Owner' } },
          { tag: 'date_picker', name: 'due', label: { tag: 'plain_text', content: '截止日期 Due' } },
          {
            tag: 'button',
            name: 'submit',
            text: { tag: 'plain_text', content: '提交 Submit' },
            type: 'primary',
            form_action_type: 'submit',
            behaviors: [{ type: 'callback', value: { action: 'help.form' } }],
          },
        ],
      },
      { tag: 'note', elements: [{ tag: 'plain_text', content: '沙箱演示卡片 Sandbox demo card' }] },
    ],
  },
});

/** Every component the console renders, for a visual check. */
export const galleryCard = (mention: string) => ({
  schema: '2.0',
  config: { update_multi: true },
  header: {
    title: { tag: 'plain_text', content: '退款审批 Refund approval' },
    subtitle: { tag: 'plain_text', content: '工单 EX-1002 · 丢件 Lost parcel' },
    template: 'orange',
    text_tag_list: [{ tag: 'text_tag', text: { tag: 'plain_text', content: '超时 Overdue' }, color: 'red' }],
  },
  body: {
    elements: [
      {
        tag: 'markdown',
        content:
          `请 <at id=${mention}></at> 审批。<font color='red'>**金额 ¥259.00**</font> 超过阈值。\n1. 客户已提供照片\n2. ` +
          `物流已确认丢件\n查看 [订单详情 Order](https://example.com/o/1002)`,
      },
      {
        tag: 'column_set',
        background_style: 'grey',
        columns: [
          {
            tag: 'column',
            width: 'weighted',
            weight: 1,
            elements: [{ tag: 'markdown', content: '**渠道 Channel**\n天猫 Tmall' }],
          },
          {
            tag: 'column',
            width: 'weighted',
            weight: 1,
            elements: [{ tag: 'markdown', content: '**SLA**\n剩余 2 小时 2 h left' }],
          },
        ],
      },
      { tag: 'div', text: { tag: 'plain_text', content: '纯文本 Plain text div' } },
      { tag: 'img', img_key: 'img_v2_xxx', alt: { tag: 'plain_text', content: '破损照片 Photo' } },
      { tag: 'hr' },
      {
        tag: 'select_static',
        placeholder: { tag: 'plain_text', content: '赔付方式 Compensation' },
        options: [
          { text: { tag: 'plain_text', content: '原路退回 Refund' }, value: 'refund' },
          { text: { tag: 'plain_text', content: '优惠券 Coupon' }, value: 'coupon' },
        ],
        behaviors: [{ type: 'callback', value: { action: 'gallery.select' } }],
      },
      {
        tag: 'select_person',
        placeholder: { tag: 'plain_text', content: '转交给 Hand over to' },
        behaviors: [{ type: 'callback', value: { action: 'gallery.person' } }],
      },
      {
        tag: 'date_picker',
        placeholder: { tag: 'plain_text', content: '跟进日期 Follow-up' },
        behaviors: [{ type: 'callback', value: { action: 'gallery.date' } }],
      },
      {
        tag: 'input',
        placeholder: { tag: 'plain_text', content: '备注，回车提交 Note, Enter to send' },
        behaviors: [{ type: 'callback', value: { action: 'gallery.note' } }],
      },
      {
        tag: 'column_set',
        columns: ['primary', 'danger', 'default', 'text'].map((type) => ({
          tag: 'column',
          width: 'auto',
          elements: [
            {
              tag: 'button',
              type,
              text: {
                tag: 'plain_text',
                content: {
                  primary: '同意 Approve',
                  danger: '拒绝 Reject',
                  default: '转交 Forward',
                  text: '详情 Details',
                }[type],
              },
              behaviors: [{ type: 'callback', value: { action: `gallery.${type}` } }],
            },
          ],
        })),
      },
      { tag: 'chart', chart_spec: {} },
      { tag: 'note', elements: [{ tag: 'plain_text', content: '由 运营助手 发送 · Sent by OpsBot' }] },
    ],
  },
});

export const doneCard = (text: string) => ({
  schema: '2.0',
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: '已处理 Done' }, template: 'green' },
  body: { elements: [{ tag: 'markdown', content: text }] },
});

/**
 * A stand-in bot: answers "帮助" with a card, card clicks with a toast + updated card, record edits with a
 * message — all through the official SDK against the sandbox.
 */
export async function startFakeBot(sandbox: SandboxHandle) {
  const client = new lark.Client({
    appId: sandbox.credentials.appId,
    appSecret: sandbox.credentials.appSecret,
    domain: sandbox.url,
    loggerLevel: lark.LoggerLevel.error,
  });
  const key = sandbox.credentials.encryptKey;
  let clicks = 0;
  const receiver = await startReceiver(key, async (req) => {
    const { header, event } = req.envelope;
    if (!req.signatureValid) return { status: 401 };
    if (header.event_type === 'im.message.receive_v1') {
      const message = event.message as { message_id: string; content: string };
      const text = (JSON.parse(message.content) as { text: string }).text;
      if (text.includes('组件')) {
        const sender = (event.sender as { sender_id: { open_id: string } }).sender_id.open_id;
        await client.im.message.create({
          params: { receive_id_type: 'chat_id' },
          data: {
            receive_id: (event.message as { chat_id: string }).chat_id,
            msg_type: 'interactive',
            content: JSON.stringify(galleryCard(sender)),
          },
        });
      }
      if (text.includes('帮助')) {
        await client.im.message.reply({
          path: { message_id: message.message_id },
          data: { msg_type: 'interactive', content: JSON.stringify(helpCard()) },
        });
      }
    }
    if (header.event_type === 'card.action.trigger') {
      const action = event.action as { value?: { action?: string }; form_value?: Record<string, unknown> };
      if (action.value?.action?.startsWith('gallery.'))
        return { body: { toast: { type: 'info', content: `已收到 Received ${action.value.action}` } } };
      if (action.value?.action === 'help.form')
        return {
          body: {
            toast: { type: 'success', content: `已提交 ${JSON.stringify(action.form_value)}` },
            card: { type: 'raw', data: doneCard(`表单 Form: \`${JSON.stringify(action.form_value)}\``) },
          },
        };
      clicks += 1;
      return {
        body: {
          toast: { type: 'success', content: '已确认 Acknowledged', i18n: { zh_cn: '已确认 Acknowledged' } },
          card: { type: 'raw', data: helpCard(clicks) },
        },
      };
    }
    if (header.event_type === 'drive.file.bitable_record_changed_v1') {
      const operator = (event.operator_id as { open_id: string }).open_id;
      const actions = event.action_list as Array<{ record_id: string; action: string }>;
      await client.im.message.create({
        params: { receive_id_type: 'open_id' },
        data: {
          receive_id: operator,
          msg_type: 'text',
          content: JSON.stringify({
            text: `收到表格修改 Saw your edit: ${actions.map((a) => `${a.action} ${a.record_id}`).join(', ')}`,
          }),
        },
      });
    }
    return {};
  });
  sandbox.setBotEndpoints({ eventUrl: `${receiver.url}/webhook/event`, cardUrl: `${receiver.url}/webhook/card` });
  return { client, receiver, close: () => receiver.app.close() };
}
