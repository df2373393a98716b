// Console page: pick a person, chat with the bot, click its cards.
import { renderMessage } from './messages.js';
import { escapeHtml } from './markdown.js';
import { api, avatar, setTimeZone, timeLabel, toast } from './ui.js';
import { initBase, openBaseAt, refreshBase } from './bitable.js';
import { initEvents, refreshEvents } from './events.js';
import { fillIcons, icon } from './icons.js';

const $ = (id) => document.getElementById(id);
const state = { boot: null, user: null, chats: [], chatId: null, mention: true, filter: '' };
// What a newcomer can try: the help card, the case form, a case in one line, a lookup.
const SUGGESTIONS = ['帮助', '异常件', '异常件 丢件 TM2026112501 ¥89 一周没有物流更新', '异常件 TM2026112501'];

const nameOf = (id) =>
  id === state.boot.bot.open_id ? state.boot.bot.name : (state.boot.users.find((u) => u.open_id === id)?.name ?? id);
const chat = () => state.chats.find((c) => c.chat_id === state.chatId);

function fillUserSelect() {
  const select = $('user-select');
  for (const dept of state.boot.departments) {
    const people = state.boot.users.filter((u) => u.department_ids.includes(dept.department_id));
    if (!people.length) continue;
    const group = document.createElement('optgroup');
    group.label = `${dept.name} ${dept.en_name}`;
    for (const u of people)
      group.append(new window.Option(`${u.name} ${u.en_name} · ${u.job_title.split(' ')[0]}`, u.open_id));
    select.append(group);
  }
  select.addEventListener('change', () => setUser(select.value));
}

function setUser(openId) {
  state.user = state.boot.users.find((u) => u.open_id === openId) ?? state.boot.users[0];
  localStorage.setItem('sandbox.user', state.user.open_id);
  $('user-select').value = state.user.open_id;
  $('identity-role').textContent = state.user.job_title;
  $('rail-me').replaceChildren(avatar(state.user.name, state.user.open_id));
  // Opens the bot's workbench page logged in as this person, as Feishu's workbench would.
  $('open-workbench').href = `/sandbox/workbench?user=${encodeURIComponent(state.user.open_id)}`;
  state.chatId = null;
  refreshChats().then(() => openChat(state.chats.find((c) => c.chat_type === 'p2p')?.chat_id));
  refreshNextSteps();
}

/** Who has a card with buttons waiting (an approval, an escalation…): one click acts as them. */
async function refreshNextSteps() {
  const list = $('next-steps');
  const steps = await api('GET', `/next-steps?user=${encodeURIComponent(state.user.open_id)}`);
  list.hidden = steps.length === 0;
  list.replaceChildren();
  if (!steps.length) return;
  const title = document.createElement('li');
  title.className = 'next-title';
  title.textContent = '下一步可切换为 Next, act as';
  list.append(title);
  for (const s of steps) {
    const li = document.createElement('li');
    li.className = 'next-step';
    li.setAttribute('data-testid', 'next-step');
    const who = document.createElement('span');
    who.className = 'next-who';
    who.textContent = `${s.name} · ${s.card}`;
    who.title = `${s.name} (${s.title}) ${s.card}`;
    const go = document.createElement('button');
    go.type = 'button';
    go.textContent = '切换 Act as';
    go.dataset.openId = s.open_id;
    go.addEventListener('click', () => setUser(s.open_id));
    li.append(who, go);
    list.append(li);
  }
}

async function refreshChats() {
  state.chats = await api('GET', `/chats?user=${encodeURIComponent(state.user.open_id)}`);
  const list = $('chat-list');
  list.replaceChildren();
  const shown = state.chats.filter((c) => !state.filter || c.name.includes(state.filter));
  for (const [title, kind] of [
    ['机器人 Bot', 'p2p'],
    ['群组 Groups', 'group'],
  ]) {
    const items = shown.filter((c) => c.chat_type === kind);
    if (!items.length) continue;
    const head = document.createElement('li');
    head.className = 'chat-section';
    head.textContent = title;
    list.append(head);
    for (const c of items) {
      const li = document.createElement('li');
      li.className = `chat-item ${c.chat_id === state.chatId ? 'active' : ''}`;
      li.dataset.chatId = c.chat_id;
      li.setAttribute('data-testid', `chat-${c.chat_type}`);
      li.append(avatar(c.name, c.chat_id, kind === 'p2p' ? 'bot' : 'group'));
      const meta = document.createElement('div');
      meta.className = 'chat-meta';
      meta.innerHTML = `<div class="chat-name"><span>${escapeHtml(c.name)}${
        kind === 'p2p' ? '<span class="badge-bot">机器人 Bot</span>' : ''
      }</span>${c.last ? `<time>${timeLabel(c.last.at)}</time>` : ''}</div>
        <div class="chat-last">${escapeHtml(c.last ? c.last.text : c.description)}</div>`;
      li.append(meta);
      li.addEventListener('click', () => openChat(c.chat_id));
      list.append(li);
    }
  }
}

function openChat(chatId) {
  if (!chatId) return;
  state.chatId = chatId;
  for (const li of document.querySelectorAll('.chat-item')) li.classList.toggle('active', li.dataset.chatId === chatId);
  const c = chat();
  const header = $('conv-header');
  header.replaceChildren(avatar(c.name, c.chat_id, c.chat_type === 'p2p' ? 'bot' : 'group'));
  const title = document.createElement('div');
  title.innerHTML =
    `<div class="conv-title">${escapeHtml(c.name)}</div><div class="conv-sub">${escapeHtml(c.description)}` +
    `${c.chat_type === 'group' ? ` · ${c.member_count} 人 members` : ''}` +
    `</div>`;
  header.append(title);
  if (c.chat_type === 'group') header.append(...memberButtons(c));
  $('mention-toggle').classList.toggle('visible', c.chat_type === 'group');
  $('composer-input').placeholder =
    c.chat_type === 'group'
      ? `发消息到 ${c.name} · Message the group（@运营助手 才会被机器人收到 The bot hears @mentions only）`
      : `发消息给 ${c.name} · Message the bot（Enter 发送 Send，Shift+Enter 换行 New line）`;
  $('mention-toggle').classList.toggle('on', state.mention);
  refreshMessages();
}

/** 邀请入群 / 有人退群: Feishu's member events for this group (src/sandbox/console/members.ts). */
function memberButtons(c) {
  return [
    ['added', '邀请入群 Invite someone'],
    ['deleted', '有人退群 Someone leaves'],
  ].map(([change, label]) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'chip';
    b.textContent = label;
    b.setAttribute('data-testid', `member-${change}`);
    b.addEventListener('click', async () => {
      await api('POST', `/chats/${c.chat_id}/members`, { user: state.user.open_id, change });
      await refreshChats();
      openChat(c.chat_id);
    });
    return b;
  });
}

async function onCardAction(messageId, cardEl, action) {
  cardEl.classList.add('busy');
  try {
    const result = await api('POST', '/card-actions', { user: state.user.open_id, message_id: messageId, action });
    if (result.toast) toast(result.toast.type, result.toast.content);
  } catch (err) {
    toast('error', `卡片交互失败 Card action failed: ${err.message}`);
  } finally {
    cardEl.classList.remove('busy');
    refreshMessages();
  }
}

// Unchanged messages keep their DOM node, so a half-filled card form survives live updates.
const rendered = new Map();

async function refreshMessages() {
  if (!state.chatId) return;
  const chatId = state.chatId;
  const messages = await api('GET', `/chats/${chatId}/messages`);
  if (chatId !== state.chatId) return;
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  if (!messages.length) {
    box.innerHTML =
      `<div class="empty"><div class="big">${icon('wave', { size: 42 })}</div>和 ${escapeHtml(state.boot.bot.name)}` +
      ` 打个招呼吧，试试发送「帮助」<br><small>Say hi to the bot — try sending “帮助” (help)` +
      `</small></div>`;
    return;
  }
  const nodes = messages.map((m) => {
    const key = `${state.user.open_id}|${m.updated}|${JSON.stringify(m.content)}`;
    const cached = rendered.get(m.message_id);
    if (cached && cached.key === key) return cached.el;
    const el = renderMessage(m, { me: state.user.open_id, nameOf, users: state.boot.users, onCardAction });
    rendered.set(m.message_id, { key, el });
    return el;
  });
  box.replaceChildren(...nodes);
  if (atBottom || messages.length < 4) box.scrollTop = box.scrollHeight;
}

async function send(text) {
  const value = (text ?? $('composer-input').value).trim();
  if (!value || !state.chatId) return;
  $('composer-input').value = '';
  const c = chat();
  try {
    await api('POST', `/chats/${state.chatId}/messages`, {
      user: state.user.open_id,
      text: value,
      mention_bot: c.chat_type === 'group' && state.mention,
    });
  } catch (err) {
    toast('error', `发送失败 Send failed: ${err.message}`);
  }
  await refreshMessages();
  $('messages').scrollTop = $('messages').scrollHeight;
}

function initComposer() {
  const input = $('composer-input');
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  $('send').addEventListener('click', () => send());
  $('mention-toggle').addEventListener('click', () => {
    state.mention = !state.mention;
    $('mention-toggle').classList.toggle('on', state.mention);
  });
  for (const s of SUGGESTIONS) {
    const chip = document.createElement('button');
    chip.className = 'chip';
    chip.textContent = s;
    chip.addEventListener('click', () => send(s));
    $('suggestions').append(chip);
  }
  $('chat-filter').addEventListener('input', (e) => {
    state.filter = e.target.value.trim();
    refreshChats();
  });
}

function initRail() {
  for (const item of document.querySelectorAll('.rail-item[data-view]')) {
    item.addEventListener('click', () => {
      for (const other of document.querySelectorAll('.rail-item')) other.classList.toggle('active', other === item);
      for (const view of document.querySelectorAll('.view'))
        view.classList.toggle('active', view.id === `view-${item.dataset.view}`);
      if (item.dataset.view === 'base') refreshBase();
      if (item.dataset.view === 'events') refreshEvents();
    });
  }
}

function initStream() {
  let timer = null;
  const pending = new Set();
  const source = new EventSource('/sandbox/api/stream');
  source.onmessage = (e) => {
    pending.add(JSON.parse(e.data).kind);
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      if (pending.has('message') || pending.has('chat')) {
        refreshChats().then(refreshMessages);
        refreshNextSteps();
      }
      if (pending.has('bitable')) refreshBase(true);
      if (pending.has('delivery') || pending.has('faults')) refreshEvents(true);
      pending.clear();
    }, 120);
  };
}

async function main() {
  state.boot = await api('GET', '/bootstrap');
  setTimeZone(state.boot.time_zone);
  fillIcons();
  document.title = `飞书沙箱 Feishu Sandbox · ${state.boot.tenant.name}`;
  fillUserSelect();
  initComposer();
  initRail();
  initBase(
    () => state.user,
    nameOf,
    () => state.boot.users,
  );
  initEvents();
  initStream();
  const params = new URL(window.location.href).searchParams;
  setUser(params.get('user') || localStorage.getItem('sandbox.user') || state.boot.users[0].open_id);
  // A dashboard chart's "open the rows" link: ?base=<app_token>&table=<table_id>&view=<view_id>;
  // a card's record link adds &record=<record_id>.
  if (params.get('base') && params.get('table')) {
    openBaseAt(params.get('base'), params.get('table'), params.get('view'), params.get('record'));
    document.querySelector('.rail-item[data-view="base"]').click();
  }
}

main().catch((err) => toast('error', `控制台加载失败 Console failed to load: ${err.message}`));
