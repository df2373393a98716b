// The dashboard frame: sign-in, the four tabs, the period and filters kept in the URL. Each tab's
// content is its domain's file, tabs/<key>.js (docs/dashboard.md), loaded when the tab is opened.
import { icon } from './icons.js';
import { bi, CHANNELS, disposeCharts, esc, keepDefinitionsOnScreen, notice, resizeCharts, chartsShown } from './ui.js';
import { apiQuery, FILTERS, PRESETS, readState, writeState } from './url-state.js';

const $ = (id) => document.getElementById(id);
const { appId, signInUrl } = document.body.dataset;
const TAB_ICONS = { qa: 'qa', exceptions: 'exceptions', contracts: 'contracts', community: 'community' };
const FILTER_LABELS = { team: ['团队', 'Team'], channel: ['渠道', 'Channel'], platform: ['平台', 'Platform'] };
const NEXT = 'dashboard.next';

let me = null;
let links = {};
/** The Bitable links, fetched beside the first tab's numbers (a tab waits for them only to render). */
let linksLoaded = Promise.resolve();
let state = readState();
let shown = null; // { key, module }
let loading = 0;

async function api(method, url, body) {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(json.error?.message ?? res.statusText), { status: res.status });
  return json;
}

// In the Feishu client the workbench page gets a code from tt.requestAccess (FEISHU.md §f);
// the sandbox console and the OAuth redirect pass it as ?code=.
function workbenchCode() {
  const fromUrl = new URL(location.href).searchParams.get('code');
  if (fromUrl) return Promise.resolve(fromUrl);
  if (!window.h5sdk || !window.tt) return Promise.resolve(null);
  return new Promise((resolve) => {
    window.h5sdk.ready(() =>
      window.tt.requestAccess({
        appID: appId,
        scopeList: [],
        success: (r) => resolve(r.code),
        fail: () => resolve(null),
      }),
    );
  });
}

async function signIn() {
  try {
    return await api('GET', '/api/dashboard/me');
  } catch (err) {
    if (err.status !== 401) throw err;
  }
  const code = await workbenchCode();
  if (!code) return null;
  await api('POST', '/api/dashboard/session', { code });
  // The one-time code leaves the address bar; the view a shared link named before sign-in comes back
  // (kept in localStorage: the console opens the dashboard in a new browser tab).
  const url = new URL(location.href);
  url.searchParams.delete('code');
  const next = localStorage.getItem(NEXT);
  localStorage.removeItem(NEXT);
  history.replaceState(null, '', next && url.search === '' ? `${url.pathname}${next}` : url);
  state = readState();
  return api('GET', '/api/dashboard/me');
}

function showSignIn(detail) {
  $('signin').hidden = false;
  if (detail) $('signin-detail').textContent = detail;
  if (!signInUrl) return;
  const link = $('signin-link');
  link.href = signInUrl;
  link.hidden = false;
  link.addEventListener('click', () => localStorage.setItem(NEXT, location.search));
}

function renderTabs() {
  $('tabs').innerHTML = me.tabs
    .map(
      (t) =>
        `<button type="button" role="tab" data-tab="${t.key}" data-testid="tab-${t.key}"
          class="tab${t.key === state.tab ? ' active' : ''}${t.setUp && t.level ? '' : ' muted'}"
          aria-selected="${t.key === state.tab}">${icon(TAB_ICONS[t.key])}${bi(t.title.zh, t.title.en)}</button>`,
    )
    .join('');
}

function teamOptions(tab) {
  if (tab.level === 'all') return me.teamsKnown;
  return me.teamsKnown.filter((t) => me.viewer.teams.includes(t.value));
}

/** The filter row: the period always, then the filters this tab uses. */
function renderFilters(tab, uses, options) {
  const custom = !state.days;
  const preset = PRESETS.map(
    (d) => `<option value="${d}"${state.days === String(d) ? ' selected' : ''}>近 ${d} 天 ${d} days</option>`,
  ).join('');
  const parts = [
    `<label>${bi('时间范围', 'Period')}<select id="f-days" data-testid="filter-days">${preset}` +
      `<option value=""${custom ? ' selected' : ''}>自定义 Custom</option></select></label>`,
    `<span class="range"${custom ? '' : ' hidden'}><input type="date" id="f-from" data-testid="filter-from" ` +
      `value="${esc(state.from ?? '')}" aria-label="开始 From"> – <input ` +
      `type="date" id="f-to" data-testid="filter-to" value="${esc(state.to ?? '')}` +
      `" aria-label="结束 To"></span>`,
  ];
  for (const f of uses) {
    const list = f === 'team' ? teamOptions(tab) : (options[f] ?? (f === 'channel' ? CHANNELS : []));
    if (f === 'team' && tab.level === 'own') continue; // their own rows: no team to choose
    const all = f === 'team' && tab.level === 'team' ? '' : `<option value="">全部 All</option>`;
    const opts = list
      .map((o) => `<option value="${esc(o.value)}"${state[f] === o.value ? ' selected' : ''}>${esc(o.label)}</option>`)
      .join('');
    parts.push(
      `<label>${bi(...FILTER_LABELS[f])}<select data-filter="${f}" data-testid="filter-${f}">${all}${opts}` +
        `</select></label>`,
    );
  }
  parts.push('<span class="updated" id="updated" data-testid="updated"></span>');
  $('filters').innerHTML = parts.join('');
  // A team lead sees one of their teams at a time; the first is chosen when the URL names none.
  if (uses.includes('team') && tab.level === 'team' && !state.team && teamOptions(tab)[0])
    state.team = teamOptions(tab)[0].value;
}

function onFilterChange(e) {
  const el = e.target;
  if (el.id === 'f-days') {
    if (el.value) state = { ...state, days: el.value, from: undefined, to: undefined };
    else state = { ...state, days: undefined, from: state.from ?? isoDaysAgo(29), to: state.to ?? isoDaysAgo(0) };
  } else if (el.id === 'f-from' || el.id === 'f-to') {
    if (!el.value) return;
    state = { ...state, days: undefined, [el.id === 'f-from' ? 'from' : 'to']: el.value };
  } else if (el.dataset.filter) {
    state = { ...state, [el.dataset.filter]: el.value || undefined };
  } else return;
  writeState(state, { push: true });
  openTab(state.tab, { keepFilters: true });
}

const isoDaysAgo = (n) => new Date(Date.now() - n * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);

async function openTab(key, { keepFilters = false } = {}) {
  const tab = me.tabs.find((t) => t.key === key) ?? me.tabs[0];
  state.tab = tab.key;
  renderTabs();
  const body = $('tab-body');
  const run = ++loading;
  // Marked at once: until the new tab settles, the previous tab's state must not be read as this one's.
  body.dataset.state = 'loading';
  if (!tab.setUp || !tab.level) {
    disposeCharts();
    shown = null;
    $('filters').innerHTML = '';
    writeState(state);
    body.innerHTML = !tab.setUp
      ? notice(
          'tools',
          '此看板尚未启用',
          'Not set up yet',
          `${bi(tab.title.zh, tab.title.en)}：该工作流还没有安装到本系统。The ${esc(tab.title.en)} workflow is not installed on ` +
            `this server yet.`,
        )
      : notice(
          'lock',
          '你无权查看此看板',
          'No access to this tab',
          '如需查看，请联系管理员在「人员与角色」中为你添加相应角色。Ask an admin to give you the role for it in 人员与角色 (people and roles).',
        );
    body.dataset.state = !tab.setUp ? 'not-set-up' : 'no-access';
    return;
  }
  let module = shown?.key === tab.key ? shown.module : null;
  if (!module) {
    body.innerHTML = '<div class="loading">加载中 Loading…</div>';
    module = (await import(`./tabs/${tab.key}.js`)).default;
    if (run !== loading) return;
  }
  const uses = module.filters ?? [];
  const options = {};
  if (!keepFilters || shown?.key !== tab.key) disposeCharts();
  shown = { key: tab.key, module };
  renderFilters(tab, uses, options);
  writeState(state);
  const query = apiQuery(state, uses);
  const view = {
    el: body,
    key: tab.key,
    level: tab.level,
    viewer: me.viewer,
    query,
    api: (path, extra = {}) => {
      const q = new window.URLSearchParams(query);
      for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null) q.set(k, String(v));
      return api('GET', `/api/dashboard/${tab.key}/${path}${q.size ? `?${q}` : ''}`);
    },
    link: (table, viewKey) => (viewKey ? links[table]?.views?.[viewKey] : links[table]?.url) ?? null,
    options: (filter, list) => {
      options[filter] = list;
      renderFilters(tab, uses, options);
    },
    updated: (at) => {
      $('updated').textContent = `更新于 Updated ${new Date(at).toLocaleString('zh-CN', { hour12: false })}`;
    },
  };
  body.dataset.state = 'loading';
  try {
    await linksLoaded;
    await module.render(view);
    if (run === loading) body.dataset.state = 'ready';
  } catch (err) {
    if (run !== loading) return;
    disposeCharts();
    body.dataset.state = 'error';
    body.innerHTML =
      err.status === 403
        ? notice('lock', '你无权查看这些数据', 'You may not see this data', esc(err.message))
        : notice('alert', '加载失败', 'Could not load', esc(err.message));
  }
}

async function main() {
  try {
    me = await signIn();
  } catch (err) {
    showSignIn(err.message);
    return;
  }
  if (!me) return showSignIn();
  linksLoaded = api('GET', '/api/dashboard/links')
    .catch(() => ({ links: {} }))
    .then((r) => {
      links = r.links;
    });
  me.teamsKnown = me.teams.map((t) => ({ value: t.key, label: t.name }));
  $('me').textContent = me.viewer.name;
  $('board').hidden = false;
  keepDefinitionsOnScreen();
  $('tabs').addEventListener('click', (e) => {
    const button = e.target.closest('[data-tab]');
    if (!button || button.dataset.tab === state.tab) return;
    state = { ...state, tab: button.dataset.tab, team: undefined, channel: undefined, platform: undefined };
    writeState(state, { push: true });
    openTab(state.tab);
  });
  $('filters').addEventListener('change', onFilterChange);
  window.addEventListener('popstate', () => {
    state = readState();
    openTab(state.tab, { keepFilters: true });
  });
  window.addEventListener('resize', resizeCharts);
  const first = me.tabs.find((t) => t.key === state.tab) ?? me.tabs.find((t) => t.setUp && t.level) ?? me.tabs[0];
  await openTab(first.key);
  // Numbers refresh every minute on the open tab.
  setInterval(
    () => document.visibilityState === 'visible' && shown && openTab(state.tab, { keepFilters: true }),
    60_000,
  );
}

// For tests and the curious: the charts on the page.
window.dashboard = { charts: chartsShown, filters: FILTERS };
main();
