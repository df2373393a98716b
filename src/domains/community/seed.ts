import type { SeedContext } from '../../core/seed.js';
import { calendarDay, dayNumberOfIsoDate, isoDateOf, weekdayOf } from '../../core/zoned-time.js';
import type { CommunityInput } from './logic/community.js';
import { repo } from './repository.js';
import type { CommunityService } from './service/index.js';
import { seededRandom } from '../shared/seeded-random.js';

const PLATFORMS = ['wecom', 'wechat', 'douyin', 'xiaohongshu', 'feishu'] as const;
const KINDS = ['member', 'deals', 'store', 'koc', 'vip'] as const;
const CITIES = ['上海', '杭州', '南京', '苏州', '成都', '武汉', '广州', '深圳', '北京', '西安', '长沙', '重庆'];
export const DEMO_COMMUNITIES = 60;
export const DEMO_DAYS = 365;

/** ~60 communities on five platforms, run by the demo tenant's community operators, most in its community team. */
export function demoCommunities(operators: readonly string[]): CommunityInput[] {
  return Array.from({ length: DEMO_COMMUNITIES }, (_, i) => {
    const platform = PLATFORMS[i % PLATFORMS.length]!;
    const kind = KINDS[Math.floor(i / PLATFORMS.length) % KINDS.length]!;
    const city = CITIES[i % CITIES.length]!;
    return {
      code: `DEMO-${platform.slice(0, 2).toUpperCase()}-${String(i + 1).padStart(3, '0')}`,
      name: `${city}${{ member: '会员群', deals: '福利群', store: '门店群', koc: '达人群', vip: 'VIP群' }[kind]} ${i + 1}`,
      platform,
      kind,
      operatorOpenId: operators.length ? operators[i % operators.length] : undefined,
      storeCode: kind === 'store' ? `S${String((i % 12) + 1).padStart(3, '0')}` : undefined,
      tags: i % 3 === 0 ? ['复购'] : i % 7 === 0 ? ['高价值'] : [],
      state: 'active',
      // Two in three belong to the demo directory's team 社群运营 (团队编码 community), the rest to no team yet:
      // the dashboard's team filter then shows a part of the whole.
      team: i % 3 === 2 ? null : 'community',
    };
  });
}

/**
 * A year of daily rows per community up to yesterday: weekly seasonality (weekends busier), slow
 * growth, noise, a promotion spike now and then; the last day of one community drops sharply so
 * the alert check has something a person can acknowledge.
 */
export function demoDays(codes: readonly string[], lastDay: string, days = DEMO_DAYS) {
  const last = dayNumberOfIsoDate(lastDay)!;
  const rows: Array<Record<string, unknown>> = [];
  codes.forEach((code, c) => {
    const rnd = seededRandom(c + 1);
    let members = 150 + Math.floor(rnd() * 600);
    const engagement = 0.05 + rnd() * 0.15;
    for (let d = last - days + 1; d <= last; d++) {
      const weekend = weekdayOf(d) === 0 || weekdayOf(d) === 6;
      const promo = d % 30 === c % 30;
      const joined = Math.floor(rnd() * 8 + (promo ? 25 : 0) + members * 0.004);
      const left = Math.min(members, Math.floor(rnd() * 6 + members * 0.002));
      members += joined - left;
      const dropped = c === 0 && d === last;
      const active = Math.min(
        members,
        Math.round(members * engagement * (weekend ? 1.5 : 1) * (0.85 + rnd() * 0.3) * (dropped ? 0.1 : 1)),
      );
      const orders = Math.round(active * (0.04 + rnd() * 0.04) * (promo ? 2 : 1));
      rows.push({
        community: code,
        date: isoDateOf(d),
        membersTotal: members,
        membersJoined: joined,
        membersLeft: left,
        activeMembers: active,
        messages: Math.round(active * (2 + rnd() * 4)),
        orders,
        gmvFen: orders * (6_000 + Math.floor(rnd() * 12_000)),
        refundsFen: rnd() < 0.1 ? 5_000 + Math.floor(rnd() * 20_000) : 0,
      });
    }
  });
  return rows;
}

/** The sandbox's community demo (with history only): communities in 社群 and a year of metrics. */
export function communitySeed(svc: CommunityService, timeZone: string) {
  return async (ctx: SeedContext): Promise<void> => {
    if (!ctx.history) return;
    if ((await repo.all(svc.deps.database.db)).some((c) => c.code.startsWith('DEMO-'))) return;
    const operators = ctx.tenant.people.filter((p) => p.role === 'community_operator').map((p) => p.openId);
    const made = await svc.upsertCommunities(demoCommunities(operators), ctx.now);
    const yesterday = calendarDay(new Date(ctx.now.getTime() - 86_400_000), timeZone);
    const rows = demoDays(
      made.map((m) => m.community.code),
      yesterday,
    );
    for (let i = 0; i < rows.length; i += 10_000) await svc.ingest(rows.slice(i, i + 10_000), 'demo', ctx.now);
    // No alert check here: history sends nothing to Feishu. The 09:30 check finds yesterday's drop (community 1).
    ctx.log.info({ communities: made.length, rows: rows.length }, 'community demo seeded');
  };
}
