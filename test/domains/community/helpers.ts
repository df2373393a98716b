import { communityModule, declareCommunitySettings } from '../../../src/domains/community/index.js';
import { createCommunityService } from '../../../src/domains/community/service/index.js';
import { SettingsStore, settingsHost } from '../../../src/core/settings.js';
import { blockNetwork, buildTestApp, type TestApp } from '../../helpers/app.js';
import { apiPost, feishuRecorder, sh, TestClock, type Recorder } from '../exceptions/helpers.js';

export { apiGet, apiPost, buttons, cardText, click, say, sh, TestClock } from '../exceptions/helpers.js';

export interface CommunityTestApp extends TestApp {
  feishu: Recorder;
  clock: TestClock;
}

/** The real app with the community module, Feishu recorded, a settable clock (Shanghai). */
export async function communityApp(options: { start?: string; workers?: boolean } = {}): Promise<CommunityTestApp> {
  blockNetwork();
  const clock = new TestClock(sh(options.start ?? '2026-11-30T10:00'));
  const feishu = feishuRecorder();
  const t = await buildTestApp({
    modules: [communityModule()],
    workers: options.workers ?? true,
    clock,
    env: { API_TOKENS: 'tok-ops', LOG_LEVEL: 'warn' },
  });
  return Object.assign(t, { feishu, clock });
}

/** Communities by code on a platform, run by `operator`. */
export async function addCommunities(
  t: TestApp,
  list: Array<{ code: string; platform?: string; operator?: string; name?: string; team?: string | null }>,
): Promise<void> {
  const res = await apiPost(t, '/api/community/communities', {
    communities: list.map((c) => ({
      code: c.code,
      name: c.name ?? `社群 ${c.code}`,
      platform: c.platform ?? 'wecom',
      operatorOpenId: c.operator ?? 'ou_op_1',
      ...(c.team !== undefined ? { team: c.team } : {}),
    })),
  });
  if (res.statusCode !== 200) throw new Error(`communities not created: ${res.body}`);
}

/** A metric row with sensible defaults. */
export const day = (community: string, date: string, over: Record<string, unknown> = {}) => ({
  community,
  date,
  membersTotal: 200,
  membersJoined: 5,
  membersLeft: 2,
  activeMembers: 40,
  messages: 120,
  orders: 3,
  gmvFen: 45_000,
  refundsFen: 0,
  ...over,
});

/** The module's service on the app's own dependencies, for running scheduled work with a chosen `now`. */
export function serviceOf(t: TestApp) {
  return createCommunityService({
    database: t.database,
    timeZone: t.config.timeZone,
    settings: declareCommunitySettings(
      settingsHost(new SettingsStore({ database: t.database, log: t.log }), 'community'),
    ),
    feishu: t.deps.feishu,
    cards: t.deps.cards,
    log: t.log,
  });
}

/** `days` days of a weekly pattern ending on `last` (weekends twice as busy); `over` changes chosen days. */
export function weeklyRows(
  community: string,
  last: string,
  days: number,
  over: (iso: string) => Record<string, unknown> = () => ({}),
) {
  const end = Date.parse(`${last}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => {
    const date = new Date(end - (days - 1 - i) * 86_400_000);
    const iso = date.toISOString().slice(0, 10);
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
    const noise = (i * 7) % 5;
    return day(community, iso, {
      membersTotal: 1000,
      membersJoined: 8,
      membersLeft: 6,
      activeMembers: (weekend ? 200 : 100) + noise,
      messages: (weekend ? 600 : 300) + noise,
      orders: 10,
      gmvFen: 200_000,
      ...over(iso),
    });
  });
}
