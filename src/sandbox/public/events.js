// Events tab: what the sandbox delivered to the bot, and buttons to make it misbehave.
import { escapeHtml } from './markdown.js';
import { timeLabel, toast } from './ui.js';

const $ = (id) => document.getElementById(id);
const FAULTS = [
  ['5xx ×3 服务端错误', { kind: 'error', count: 3, status: 500 }],
  ['丢失响应 Lost answer ×1', { kind: 'error', count: 1, status: 502, afterProcessing: true }],
  ['429 ×3 限流 Rate limit', { kind: 'rate-limit', count: 3, resetSeconds: 2 }],
  ['令牌过期 Expire tokens', { kind: 'expire-tokens' }],
  ['延迟 Latency 1.5 s', { kind: 'latency', ms: 1500 }],
  ['丢弃下一个事件 Drop next event', { kind: 'drop-deliveries', count: 1 }],
];
const STATE_LABEL = {
  delivered: '已送达 delivered',
  pending: '重试中 retrying',
  'waiting-endpoint': '等待机器人 waiting',
  failed: '失败 failed',
  dropped: '已丢弃 dropped',
};

async function admin(method, body) {
  const res = await fetch('/sandbox/admin/faults', {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.json();
}

function describeFaults(f) {
  const lines = f.rules.map(
    (r) =>
      `• 接下来 ${r.remaining} 次 next ${r.remaining}: ${
        r.kind === 'rate-limit'
          ? `429 (reset ${r.resetSeconds}s)`
          : `HTTP ${r.status}${r.afterProcessing ? ' 处理后丢失响应 answer lost' : ''}`
      }${r.pathPrefix ? ` @ ${r.pathPrefix}` : ''}`,
  );
  if (f.latency)
    lines.push(`• 延迟 latency ${f.latency.ms} ms${f.latency.pathPrefix ? ` @ ${f.latency.pathPrefix}` : ''}`);
  if (f.dropDeliveries) lines.push(`• 丢弃接下来 ${f.dropDeliveries} 个事件 drop next ${f.dropDeliveries} event(s)`);
  if (f.tokensExpiredAt) lines.push(`• 令牌已于 ${timeLabel(f.tokensExpiredAt)} 过期 tokens expired`);
  return lines.length ? lines.join('\n') : '无故障 No faults active';
}

export async function refreshEvents() {
  const [faults, deliveries] = await Promise.all([
    admin('GET'),
    fetch('/sandbox/api/deliveries').then((r) => r.json()),
  ]);
  $('fault-state').textContent = describeFaults(faults);
  $('deliveries').innerHTML =
    deliveries
      .map(
        (d) => `<tr><td>${d.attempts[0] ? timeLabel(d.attempts[0].at) : '—'}</td>
    <td><code>${escapeHtml(d.event_type)}</code></td>
    <td><span class="state ${d.state}">${STATE_LABEL[d.state] ?? d.state}</span></td>
    <td>${attemptsText(d)}</td></tr>`,
      )
      .join('') || '<tr><td colspan="4" class="muted">还没有事件 No events yet</td></tr>';
}

export function initEvents() {
  const box = $('fault-buttons');
  for (const [label, body] of FAULTS) {
    const b = document.createElement('button');
    b.className = 'btn';
    b.textContent = label;
    b.addEventListener('click', async () => {
      await admin('POST', body);
      toast('warning', `已注入故障 Fault injected: ${label}`);
      refreshEvents();
    });
    box.append(b);
  }
  const clear = document.createElement('button');
  clear.className = 'btn btn-primary';
  clear.textContent = '清除全部 Clear all';
  clear.addEventListener('click', async () => {
    await admin('DELETE');
    toast('success', '已清除 Cleared');
    refreshEvents();
  });
  box.append(clear);
}

function attemptsText(d) {
  return d.attempts.map((a) => escapeHtml(a.status ? `HTTP ${a.status}` : (a.error ?? ''))).join(' → ') || '—';
}
