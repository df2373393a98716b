// Base tab: browse the Bases the bot created, edit cells as a person (fires record-changed events if subscribed).
import { escapeHtml, httpUrl } from './markdown.js';
import { api, confirmDialog, toast } from './ui.js';
import { icon } from './icons.js';

const $ = (id) => document.getElementById(id);
const TYPE_LABEL = {
  1: '文本',
  2: '数字',
  3: '单选',
  4: '多选',
  5: '日期',
  7: '复选',
  11: '人员',
  13: '电话',
  15: '链接',
  17: '附件',
  18: '关联',
  20: '公式',
  21: '双向关联',
  22: '位置',
  23: '群组',
  1001: '创建时间',
  1002: '修改时间',
  1003: '创建人',
  1004: '修改人',
  1005: '编号',
};
const EDITABLE = [1, 2, 3, 4, 5, 7, 11, 13, 15];
const s = {
  apps: [],
  app: null,
  table: null,
  view: null,
  record: null,
  data: null,
  editing: false,
  getUser: null,
  nameOf: null,
};

const fmtDate = (ms) => {
  const text = new Date(ms).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
  return text.endsWith(' 00:00') ? text.slice(0, -6) : text;
};

// A URL cell is a link only for http(s); anything else (javascript:, data:…) shows as plain text.
function link(value) {
  const href = httpUrl(value.link);
  const text = escapeHtml(value.text || value.link || '');
  return href
    ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${text}</a>`
    : `<span data-testid="url-text">${text}</span>`;
}

function display(field, value) {
  if (field.type === 7) return value ? icon('checked', { label: '是 yes' }) : icon('unchecked', { label: '否 no' });
  if (value === undefined || value === null) return '';
  switch (field.type) {
    case 1:
      return escapeHtml(Array.isArray(value) ? value.map((x) => x.text ?? '').join('') : value);
    case 3:
      return `<span class="tag">${escapeHtml(value)}</span>`;
    case 4:
      return value.map((v) => `<span class="tag">${escapeHtml(v)}</span>`).join('');
    case 5:
    case 1001:
    case 1002:
      return escapeHtml(fmtDate(value));
    case 11:
    case 1003:
    case 1004:
      return value.map((u) => `<span class="tag user">${escapeHtml(u.name || s.nameOf(u.id))}</span>`).join('');
    case 15:
      return link(value);
    case 18:
    case 21:
      return escapeHtml(`${(value.link_record_ids || []).length} 条关联 linked`);
    case 23:
      return value.map((g) => `<span class="tag">${escapeHtml(g.name)}</span>`).join('');
    default:
      return escapeHtml(typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
}

function editor(field, raw) {
  if (field.type === 3 || field.type === 11) {
    const sel = document.createElement('select');
    const options =
      field.type === 3
        ? (field.property?.options || []).map((o) => [o.name, o.name])
        : s.users().map((u) => [u.open_id, `${u.name} ${u.en_name}`]);
    sel.innerHTML = `<option value="">（空 empty）</option>${options
      .map(([v, t]) => `<option value="${escapeHtml(v)}">${escapeHtml(t)}</option>`)
      .join('')}`;
    sel.value = field.type === 3 ? (raw ?? '') : (raw?.[0]?.id ?? '');
    return sel;
  }
  const input = document.createElement('input');
  if (field.type === 2) input.type = 'number';
  if (field.type === 5) input.type = 'date';
  input.value =
    raw == null
      ? ''
      : field.type === 5
        ? new Date(raw + 8 * 3600_000).toISOString().slice(0, 10)
        : field.type === 4
          ? raw.join(', ')
          : field.type === 15
            ? raw.link
            : String(raw);
  return input;
}

function parse(field, el) {
  const v = el.value.trim();
  if (v === '') return null;
  switch (field.type) {
    case 2:
      return Number(v);
    case 4:
      return v
        .split(/[,，]/)
        .map((x) => x.trim())
        .filter(Boolean);
    case 5:
      return Date.parse(`${v}T00:00:00+08:00`);
    case 11:
      return [{ id: v }];
    case 15:
      return { text: v, link: v };
    default:
      return v;
  }
}

async function save(record, field, value) {
  try {
    await api('PATCH', `/bitable/${s.app}/${s.table}/records/${record.record_id}`, {
      user: s.getUser().open_id,
      fields: { [field.field_name]: value },
    });
    toast('success', `已保存「${field.field_name}」Saved`);
  } catch (err) {
    toast('error', `保存失败 Save failed: ${err.message}`);
  }
  s.editing = false;
  await loadTable();
}

function startEdit(td, record, field) {
  if (s.editing) return;
  if (field.type === 7) return save(record, field, !record.raw[field.field_name]);
  s.editing = true;
  const el = editor(field, record.raw[field.field_name]);
  td.classList.add('editing');
  td.replaceChildren(el);
  el.focus();
  let done = false;
  const commit = (keep) => {
    if (done) return;
    done = true;
    if (keep) save(record, field, parse(field, el));
    else {
      s.editing = false;
      loadTable();
    }
  };
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') commit(true);
    if (e.key === 'Escape') commit(false);
  });
  el.addEventListener(el.tagName === 'SELECT' ? 'change' : 'blur', () => commit(true));
  if (el.tagName === 'SELECT') el.addEventListener('blur', () => commit(false));
}

function renderViews() {
  const bar = document.createElement('div');
  bar.className = 'view-tabs';
  bar.setAttribute('role', 'tablist');
  for (const v of s.data.views ?? []) {
    const tab = document.createElement('button');
    tab.className = `view-tab ${v.view_id === s.data.view_id ? 'active' : ''}`;
    tab.setAttribute('data-testid', 'view-tab');
    tab.setAttribute('role', 'tab');
    tab.textContent = v.view_name;
    if (v.filtered) tab.title = '已设置筛选 filtered view';
    tab.addEventListener('click', () => {
      s.view = v.view_id;
      loadTable();
    });
    bar.append(tab);
  }
  return bar;
}

function renderGrid() {
  const hidden = new Set(s.data.hidden_fields ?? []);
  const fields = s.data.fields.filter((f) => !hidden.has(f.field_name));
  const { records } = s.data;
  const table = document.createElement('table');
  table.className = 'grid';
  table.setAttribute('data-testid', 'grid');
  table.innerHTML = `<thead><tr><th class="rownum">#</th>${fields
    .map((f) => `<th><span class="ftype">${TYPE_LABEL[f.type] ?? f.type}</span>${escapeHtml(f.field_name)}</th>`)
    .join('')}<th></th></tr></thead>`;
  const tbody = document.createElement('tbody');
  records.forEach((r, i) => {
    const tr = document.createElement('tr');
    tr.dataset.recordId = r.record_id;
    if (r.record_id === s.record) tr.classList.add('linked');
    tr.innerHTML = `<td class="rownum">${i + 1}</td>`;
    for (const f of fields) {
      const td = document.createElement('td');
      const editable = EDITABLE.includes(f.type);
      td.className = editable ? 'cell' : 'readonly';
      td.dataset.field = f.field_name;
      td.innerHTML = display(f, r.fields[f.field_name]);
      if (editable) td.addEventListener('click', () => startEdit(td, r, f));
      tr.append(td);
    }
    const del = document.createElement('td');
    del.innerHTML =
      `<button class="row-del" title="删除记录 Delete record" aria-label="删除记录 Delete record">${icon('trash')}` +
      `</button>`;
    del.querySelector('button').addEventListener('click', async () => {
      if (!(await confirmDialog('删除记录 Delete record', '删除后不可恢复。Deleted records cannot be restored.')))
        return;
      await api(
        'DELETE',
        `/bitable/${s.app}/${s.table}/records/${r.record_id}?user=${encodeURIComponent(s.getUser().open_id)}`,
      );
      loadTable();
    });
    tr.append(del);
    tbody.append(tr);
  });
  table.append(tbody);
  $('grid-wrap').replaceChildren(table);
  table.querySelector('tr.linked')?.scrollIntoView({ block: 'center' });
  if (!records.length) $('grid-wrap').insertAdjacentHTML('beforeend', '<p class="muted">暂无记录 No records yet</p>');
}

async function loadTable() {
  if (!s.app || !s.table) return;
  s.data = await api('GET', `/bitable/${s.app}/${s.table}${s.view ? `?view=${encodeURIComponent(s.view)}` : ''}`);
  const app = s.apps.find((a) => a.app_token === s.app);
  $('base-header').innerHTML =
    `<div><div class="conv-title">${escapeHtml(app?.name ?? '')} / ${escapeHtml(s.data.name)}</div>
    <div class="conv-sub">${
      app?.subscribed
        ? `${icon('checkCircle')} 机器人已订阅，编辑会推送 record-changed 事件 · Bot subscribed: edits fire events`
        : `${icon('circle')} 未订阅，编辑不会通知机器人 · Not subscribed: edits are silent`
    }</div></div>`;
  const add = document.createElement('button');
  add.className = 'btn btn-primary';
  add.textContent = '+ 新增记录 Add record';
  add.addEventListener('click', async () => {
    await api('POST', `/bitable/${s.app}/${s.table}/records`, { user: s.getUser().open_id, fields: {} });
    loadTable();
  });
  $('base-header').append(add);
  $('base-header').append(renderViews());
  renderGrid();
}

export async function refreshBase(fromStream = false) {
  if (fromStream && s.editing) return;
  s.apps = await api('GET', '/bitable');
  const tree = $('base-tree');
  tree.innerHTML = s.apps.length
    ? ''
    : '<p class="muted" style="padding:0 8px">机器人还没有创建多维表格。<br><small>The bot has not created any Base ' +
      'yet.</small></p>';
  for (const app of s.apps) {
    const box = document.createElement('div');
    box.className = 'base-app';
    box.innerHTML = `<div class="base-app-name">${icon('table')} ${escapeHtml(app.name)}${
      app.subscribed ? '<span class="sub">已订阅 subscribed</span>' : ''
    }</div>`;
    for (const t of app.tables) {
      const item = document.createElement('div');
      item.className = `base-table ${t.table_id === s.table ? 'active' : ''}`;
      item.setAttribute('data-testid', 'base-table');
      item.innerHTML = `<span>${escapeHtml(t.name)}</span><small>${t.record_count}</small>`;
      item.addEventListener('click', () => {
        s.app = app.app_token;
        s.table = t.table_id;
        s.view = null;
        s.record = null;
        refreshBase();
      });
      box.append(item);
    }
    tree.append(box);
  }
  await loadTable();
}

/**
 * Opens a table (and view) when the console is opened from a dashboard's Bitable link (?base=&table=&view=),
 * or at one row from a card's record link (&record=, the row is highlighted).
 */
export function openBaseAt(app, table, view, record) {
  s.app = app;
  s.table = table;
  s.view = view || null;
  s.record = record || null;
}

export function initBase(getUser, nameOf, users) {
  s.getUser = getUser;
  s.nameOf = nameOf;
  s.users = users;
}
