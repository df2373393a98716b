// Building blocks every tab uses: KPI tiles, panels with their definition and Bitable link,
// charts whose legends never cover an axis. Text is Chinese first with English beside it.
import { icon } from './icons.js';

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes anything that came from data (names, teams, free text) before it goes into HTML. */
export const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** `bi('在办', 'Open')` → 在办 <small>Open</small> (both escaped). */
export const bi = (zh, en) => `${esc(zh)}${en ? ` <small>${esc(en)}</small>` : ''}`;

/** A metric's definition, shown on hover (desktop) and on tap (phone: the mark takes focus). */
export function definition(text) {
  if (!text) return '';
  return (
    `<span class="def" tabindex="0" role="note" aria-label="${esc(text)}" data-def="${esc(text)}` +
    `" data-testid="definition">${icon('info')}</span>`
  );
}

/**
 * Keeps an opened definition inside the screen: its bubble (.def::after, up to min(280px, 80vw) wide, starting 8px
 * left of the mark) is shifted left by as much as it would pass the right edge, through --def-shift, set when the
 * mark is hovered or focused (tapped). On a phone a mark near the right edge otherwise widened the page.
 */
export function keepDefinitionsOnScreen(root = document) {
  const place = (e) => {
    const mark = typeof e.target?.closest === 'function' ? e.target.closest('.def') : null;
    if (!mark) return;
    const screen = root.documentElement.clientWidth;
    const left = mark.getBoundingClientRect().left - 8;
    const width = Math.min(280, screen * 0.8);
    mark.style.setProperty('--def-shift', `${Math.min(0, Math.floor(screen - 8 - (left + width)))}px`);
  };
  root.addEventListener('mouseover', place);
  root.addEventListener('focusin', place);
}

/**
 * A KPI tile. `label: [zh, en]`, `value` (already formatted), `hint`, `definition` (on hover),
 * `tone`: good | warn | bad, `metric`: a stable name tests and links use (data-metric).
 */
export function kpi({ label, value, hint = '', definition: def = '', tone = '', metric = '' }) {
  return `<div class="kpi ${tone}" data-testid="kpi" data-metric="${esc(metric)}">
    <div class="label">${bi(label[0], label[1])}${definition(def)}</div>
    <div class="value" data-testid="kpi-value">${esc(value)}</div>
    <div class="hint">${esc(hint)}</div></div>`;
}

export const kpis = (list) => `<div class="kpis" data-testid="kpis">${list.map(kpi).join('')}</div>`;

/**
 * A panel: title `[zh, en]`, its definition, and `link` (the Bitable view with the rows behind it;
 * left out when the Base is not provisioned). `body` is the panel's HTML, e.g. `<div class="chart" id="…">`.
 */
export function panel({ title, definition: def = '', link = null, body, wide = false, testid = '' }) {
  const open = link
    ? `<a class="open-rows" href="${esc(link)}" target="_blank" rel="noopener" data-testid="bitable-link">` +
      `${icon('external')}<span>多维表格 <small>Bitable</small></span></a>`
    : '';
  return `<article class="panel${wide ? ' wide' : ''}"${testid ? ` data-testid="${esc(testid)}"` : ''}>
    <header><h3>${bi(title[0], title[1])}${definition(def)}</h3>${open}</header>${body}</article>`;
}

export const chartBox = (id) => `<div class="chart" id="${esc(id)}" data-testid="chart"></div>`;

/** A table: `columns: [[zh, en], …]`, `rows`: arrays of already-escaped cell HTML. */
export function table(columns, rows, empty) {
  const head = columns.map(([zh, en]) => `<th>${bi(zh, en)}</th>`).join('');
  const body =
    rows.length === 0
      ? `<tr><td colspan="${columns.length}" class="empty">${empty}</td></tr>`
      : rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return (
    `<div class="table-wrap"><table class="rows"><thead><tr>${head}</tr></thead><tbody>${body}` +
    `</tbody></table></div>`
  );
}

export const notice = (iconName, zh, en, detail = '') =>
  `<div class="notice" data-testid="notice">${icon(iconName)}<h2>${bi(zh, en)}</h2>` +
  `${detail ? `<p>${detail}</p>` : ''}` +
  `</div>`;

const LEGEND_HEIGHT = 28;

/**
 * Makes an option safe at any width: the legend is one scrollable row above the plot (never a
 * wrapping block over the axis), and the plot's box holds its axis labels (containLabel), so the
 * legend and the labels each keep their own space however narrow the chart is.
 */
export function legendSafe(option) {
  const grid = { left: 8, right: 16, bottom: 8, ...option.grid, containLabel: true };
  if (!option.legend) return { ...option, grid: { top: 16, ...grid } };
  const { bottom: _bottom, ...given } = option.legend;
  const legend = {
    ...given,
    type: 'scroll',
    orient: 'horizontal',
    top: 0,
    left: 0,
    right: 0,
    itemGap: 12,
    pageIconSize: 10,
  };
  const nameGap = option.yAxis?.name ? 20 : 0;
  return {
    ...option,
    legend,
    grid: { ...grid, top: Math.max(Number(option.grid?.top ?? 0), LEGEND_HEIGHT + 12 + nameGap) },
  };
}

const charts = new Map();

/**
 * ECharts loads with `async` (index.html): the page signs in and fetches its numbers meanwhile. Resolves once
 * `window.echarts` is there.
 */
const echartsReady = new Promise((resolve) => {
  if (window.echarts) return resolve();
  document.getElementById('echarts-script')?.addEventListener('load', () => resolve(), { once: true });
});
let drawing = 0;

/**
 * Draws `option` into the element `id` (replacing what it showed), at once when ECharts has loaded, else as soon
 * as it has (a draw asked for later wins: a tab left meanwhile draws nothing).
 */
export function chart(id, option) {
  if (!window.echarts) {
    const run = drawing;
    void echartsReady.then(() => {
      if (run === drawing && document.getElementById(id)) chart(id, option);
    });
    return;
  }
  const el = document.getElementById(id);
  let c = charts.get(id);
  if (!c || c.getDom() !== el) {
    c?.dispose();
    c = window.echarts.init(el);
    charts.set(id, c);
  }
  c.setOption(legendSafe(option), true);
}

/** Forgets the charts of a tab that is no longer shown. */
export function disposeCharts() {
  drawing++;
  for (const c of charts.values()) c.dispose();
  charts.clear();
}

export function resizeCharts() {
  for (const c of charts.values()) c.resize();
}

/** The charts on the page by element id (tests read their options through window.dashboard). */
export const chartsShown = () => charts;

/** Sales channels (the order's channel, as the workflows store it). */
export const CHANNELS = [
  ['tmall', '天猫', 'Tmall'],
  ['jd', '京东', 'JD'],
  ['douyin', '抖音', 'Douyin'],
  ['pinduoduo', '拼多多', 'Pinduoduo'],
  ['xiaohongshu', '小红书', 'Xiaohongshu'],
  ['wechat_mini', '微信小程序', 'WeChat mini'],
  ['store', '线下门店', 'Stores'],
  ['private', '私域社群', 'Private domain'],
].map(([value, zh, en]) => ({ value, label: `${zh} ${en}` }));

export const pct = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);
export const yuan = (fen) => `¥${Math.round(fen / 100).toLocaleString('zh-CN')}`;
export const count = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('zh-CN'));
