// Small shared helpers for the console page.
import { escapeHtml } from './markdown.js';
import { icon } from './icons.js';

export async function api(method, path, body) {
  const res = await fetch(`/sandbox/api${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.msg || `HTTP ${res.status}`);
  return data;
}

const PALETTE = [
  '#3370ff',
  '#7f3bf5',
  '#00b96b',
  '#ff8800',
  '#f54a45',
  '#14c0ff',
  '#e5487f',
  '#4954e6',
  '#d6a100',
  '#04b49c',
];
export function colorOf(id) {
  let n = 0;
  for (const ch of String(id)) n = (n * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[n % PALETTE.length];
}

export function avatar(name, id, kind = 'user') {
  const el = document.createElement('span');
  el.className = `avatar ${kind}`;
  if (kind === 'bot') el.textContent = '运';
  else if (kind === 'group') {
    el.textContent = name.slice(0, 1);
    el.style.background = colorOf(id);
  } else {
    el.textContent = name.slice(-2);
    el.style.background = colorOf(id);
  }
  return el;
}

const ICONS = { success: 'check', info: 'info', warning: 'alert', error: 'x' };
export function toast(type, content) {
  const box = document.getElementById('toasts');
  const el = document.createElement('div');
  el.className = `toast ${type}`;
  el.setAttribute('data-testid', 'toast');
  el.innerHTML =
    `<span class="ico">${icon(ICONS[type] || 'info', { size: 14 })}</span><span>${escapeHtml(content)}` + `</span>`;
  box.append(el);
  setTimeout(() => el.remove(), 4000);
}

export function confirmDialog(title, text) {
  const modal = document.getElementById('modal');
  const question = escapeHtml(text || '确定要继续吗？ Are you sure?');
  modal.innerHTML = `<div class="modal" role="dialog" data-testid="confirm-dialog">
    <h3>${escapeHtml(title)}</h3><p>${question}</p>
    <div class="modal-actions"><button class="btn" data-act="no">取消 Cancel</button>
    <button class="btn btn-primary" data-act="yes" data-testid="confirm-ok">确定 OK</button></div></div>`;
  modal.hidden = false;
  return new Promise((resolve) => {
    modal.onclick = (e) => {
      const act = e.target.dataset?.act;
      if (!act && e.target !== modal) return;
      modal.hidden = true;
      modal.innerHTML = '';
      resolve(act === 'yes');
    };
  });
}

// Chat times are shown in the business time zone (TZ_BUSINESS, from /bootstrap), like the cards,
// not in the zone of whichever machine opened the console.
let businessZone = 'Asia/Shanghai';
export function setTimeZone(zone) {
  if (zone) businessZone = zone;
}

export function timeLabel(ms, nowMs = Date.now()) {
  const day = new Intl.DateTimeFormat('en-CA', {
    timeZone: businessZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  });
  const hm = new Intl.DateTimeFormat('zh-CN', {
    timeZone: businessZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(ms);
  if (day.format(ms) === day.format(nowMs)) return hm;
  const parts = Object.fromEntries(day.formatToParts(ms).map((p) => [p.type, p.value]));
  return `${Number(parts.month)}/${Number(parts.day)} ${hm}`;
}
