// The workbench page: sign in with the workbench login code, then draw the exception report.
import { moneyOption, openByAgeOption, timeByStateOption } from './charts.js';

const $ = (id) => document.getElementById(id);
const appId = document.body.dataset.appId;
const charts = {};

async function api(method, url, body) {
  const res = await fetch(url, { method, credentials: 'same-origin', headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
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
    window.h5sdk.ready(() => window.tt.requestAccess({ appID: appId, scopeList: [], success: (r) => resolve(r.code), fail: () => resolve(null) }));
  });
}

async function signIn() {
  try {
    return (await api('GET', '/api/dashboard/me')).viewer;
  } catch (err) {
    if (err.status !== 401) throw err;
  }
  const code = await workbenchCode();
  if (!code) return null;
  const { viewer } = await api('POST', '/api/dashboard/session', { code });
  history.replaceState(null, '', location.pathname);
  return viewer;
}

const COUNTERPARTIES = { carrier: '承运商 Carrier', platform: '平台 Platform', customer: '客户 Customer', supplier: '供应商 Supplier', other: '其他 Other' };
const pct = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);
const hours = (m) => (m === null || m === undefined ? '—' : `${(m / 60).toFixed(1)} h`);
const yuan = (fen) => `¥${Math.round(fen / 100).toLocaleString()}`;

function kpi(label, value, hint, tone = '') {
  return `<div class="kpi ${tone}" data-testid="kpi"><div class="label">${label}</div><div class="value">${value}</div><div class="hint">${hint}</div></div>`;
}

function renderKpis(r) {
  const cycle = r.cycleTime;
  const cycleTone = cycle.medianMinutes === null ? '' : cycle.medianMinutes <= cycle.targetMinutes ? 'good' : 'bad';
  $('kpis').innerHTML = [
    kpi('在办 Open', r.openCount, `超时 ${r.sla.openBreached} 件已超 SLA · overdue`, r.sla.openBreached > 0 ? 'warn' : ''),
    kpi('SLA 达成 Attainment', pct(r.sla.attainment), `${r.sla.met}/${r.sla.finished} 件按时完成 · on time`, r.sla.attainment !== null && r.sla.attainment < 0.9 ? 'warn' : 'good'),
    kpi('处理时长中位数 Median cycle', hours(cycle.medianMinutes), `P90 ${hours(cycle.p90Minutes)} · 目标 target ${cycle.targetMinutes / 60} h`, cycleTone),
    kpi('一天内办结 Within a day', pct(cycle.withinTargetShare), `${cycle.withinTarget}/${cycle.count} 件 · cases`),
    kpi('追回率 Recovery rate', pct(r.money.recoveryRate), `已追回 ${yuan(r.money.recoveredFen)} / 风险 ${yuan(r.money.atRiskFen)}`),
    kpi('维权胜诉率 Dispute win rate', pct(r.disputes.winRate), `胜 ${r.disputes.won} · 负 ${r.disputes.lost} · 待定 ${r.disputes.pending}`),
  ].join('');
}

function renderClaims(claims) {
  $('claims').innerHTML = claims.length === 0
    ? '<tr><td colspan="6" class="empty">暂无进行中的追款 · No open claims</td></tr>'
    : claims.map((c) => `<tr><td>${c.caseNo}</td><td>${COUNTERPARTIES[c.counterpartyType] ?? c.counterpartyType}</td><td>${yuan(c.claimFen)}</td><td>${yuan(c.recoveredFen)}</td><td>${c.ageDays} 天</td><td class="${c.idleDays >= 3 ? 'stale' : ''}">${c.idleDays} 天</td></tr>`).join('');
}

function draw(id, option) {
  charts[id] ??= window.echarts.init($(id));
  charts[id].setOption(option, true);
}

async function load() {
  const r = await api('GET', `/api/exceptions/report?days=${$('days').value}`);
  renderKpis(r);
  draw('chart-open', openByAgeOption(r.openByAgeAndKind));
  draw('chart-states', timeByStateOption(r.timeByState));
  draw('chart-money', moneyOption(r.money));
  renderClaims(r.claims);
  $('updated').textContent = `更新于 Updated ${new Date(r.generatedAt).toLocaleString('zh-CN', { hour12: false })}`;
}

async function main() {
  let viewer = null;
  try {
    viewer = await signIn();
  } catch (err) {
    $('signin-detail').textContent = err.message;
  }
  if (!viewer) {
    $('signin').hidden = false;
    return;
  }
  $('me').textContent = `${viewer.name}`;
  $('board').hidden = false;
  $('days').addEventListener('change', load);
  window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
  await load();
  setInterval(load, 60_000);
}

main();
