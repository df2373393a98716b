// Message rows of the conversation pane.
import { renderCard } from './cards.js';
import { escapeHtml } from './markdown.js';
import { avatar, colorOf, confirmDialog, timeLabel } from './ui.js';

function textHtml(m, nameOf) {
  let s = escapeHtml(m.content.text ?? '');
  for (const x of m.mentions || [])
    s = s.replaceAll(escapeHtml(x.key), `<span class="mention">@${escapeHtml(x.name)}</span>`);
  s = s.replace(
    /&lt;at (?:user_id|id|open_id)=(?:&quot;)?([^&\s]+?)(?:&quot;)?&gt;(.*?)&lt;\/at&gt;/g,
    (_m, id, label) => `<span class="mention">@${escapeHtml(label || nameOf(id))}</span>`,
  );
  return s;
}

function postHtml(content, nameOf) {
  const post = content.zh_cn ?? content.en_us ?? content;
  const lines = (post.content || []).map((para) =>
    para
      .map((n) =>
        n.tag === 'a'
          ? `<a href="${/^https?:/i.test(n.href) ? escapeHtml(n.href) : '#'}" target="_blank" rel="noopener">` +
            `${escapeHtml(n.text)}` +
            `</a>`
          : n.tag === 'at'
            ? `<span class="mention">@${escapeHtml(nameOf(n.user_id))}</span>`
            : escapeHtml(n.text ?? ''),
      )
      .join(''),
  );
  return `${post.title ? `<b>${escapeHtml(post.title)}</b>\n` : ''}${lines.join('\n')}`;
}

/** One chat row: avatar, sender line, then a text bubble or a rendered card. */
export function renderMessage(m, { me, nameOf, users, onCardAction }) {
  const mine = m.sender.kind === 'user' && m.sender.open_id === me;
  const row = document.createElement('div');
  row.className = `msg ${mine ? 'mine' : ''}`;
  row.dataset.messageId = m.message_id;
  row.setAttribute('data-testid', m.sender.kind === 'bot' ? 'bot-message' : 'user-message');
  row.append(avatar(m.sender.name, m.sender.open_id, m.sender.kind === 'bot' ? 'bot' : 'user'));
  const body = document.createElement('div');
  body.className = 'msg-body';
  body.innerHTML = `<div class="msg-sender">${escapeHtml(m.sender.name)} · ${timeLabel(m.create_time)}${
    m.updated ? ' <span class="edited">已更新 updated</span>' : ''
  }</div>`;
  if (m.msg_type === 'interactive') {
    const ctx = {
      nameOf,
      colorOf,
      users,
      confirm: confirmDialog,
      onAction: (a) => onCardAction(m.message_id, card, a),
    };
    const card = renderCard(m.content, ctx);
    body.append(card);
  } else {
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    bubble.innerHTML =
      m.msg_type === 'text'
        ? textHtml(m, nameOf)
        : m.msg_type === 'post'
          ? postHtml(m.content, nameOf)
          : `[${escapeHtml(m.msg_type)}]`;
    body.append(bubble);
  }
  row.append(body);
  return row;
}
