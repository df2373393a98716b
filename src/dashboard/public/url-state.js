// The page's state lives in its URL, so a link shows the same tab, period and filters to whoever opens it.
export const FILTERS = ['team', 'channel', 'platform'];
const KEYS = ['tab', 'days', 'from', 'to', ...FILTERS];
export const PRESETS = [7, 30, 90, 365];

export function readState(href = location.href) {
  const params = new URL(href).searchParams;
  const state = {};
  for (const k of KEYS) {
    const v = params.get(k);
    if (v) state[k] = v;
  }
  if (!state.days && !state.from && !state.to) state.days = '30';
  return state;
}

/** Writes `state` into the address bar (push: a new history entry, so Back returns to the last view). */
export function writeState(state, { push = false } = {}) {
  const url = new URL(location.href);
  for (const k of KEYS) url.searchParams.delete(k);
  for (const k of KEYS) if (state[k]) url.searchParams.set(k, state[k]);
  if (url.href === location.href) return;
  history[push ? 'pushState' : 'replaceState'](null, '', url);
}

/** The API query of a tab: the period and the filters the tab uses. */
export function apiQuery(state, filters) {
  const q = new window.URLSearchParams();
  if (state.days) q.set('days', state.days);
  else {
    if (state.from) q.set('from', state.from);
    if (state.to) q.set('to', state.to);
  }
  for (const f of filters) if (state[f]) q.set(f, state[f]);
  return q;
}
