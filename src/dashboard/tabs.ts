/**
 * The dashboard's four tabs, in the order the page shows them. A tab is set up when its domain
 * registers routes under `/api/dashboard/<key>` (`bot.routes(dashboardPrefix('qa'), …)`) and ships
 * `src/dashboard/public/tabs/<key>.js`; until then the page shows it as "not set up yet".
 * docs/dashboard.md says how a domain adds its tab.
 */
export const TABS = [
  { key: 'qa', title: { zh: '质检', en: 'QA' } },
  { key: 'exceptions', title: { zh: '异常件', en: 'Exceptions' } },
  { key: 'contracts', title: { zh: '合同', en: 'Contracts' } },
  { key: 'community', title: { zh: '社群', en: 'Community' } },
] as const;

export type TabKey = (typeof TABS)[number]['key'];
export const TAB_KEYS: readonly TabKey[] = TABS.map((t) => t.key);

/** Where a tab's JSON endpoints live. */
export function dashboardPrefix(tab: TabKey): string {
  return `/api/dashboard/${tab}`;
}

/** The tabs whose domain has registered its endpoints, from the app's registered route prefixes. */
export function tabsSetUp(prefixes: readonly string[]): Set<TabKey> {
  return new Set(
    TAB_KEYS.filter((k) => prefixes.some((p) => p === dashboardPrefix(k) || p.startsWith(`${dashboardPrefix(k)}/`))),
  );
}
