import { joinMarkdown, md, type Markdown } from '../../../core/cards/markdown.js';
import type { Card } from '../../../core/cards/render.js';
import { ForbiddenError, NotFoundError } from '../../../core/errors.js';
import { isoDateOf } from '../../../core/zoned-time.js';
import { communityCards } from '../cards.js';
import { percent, yuan } from '../logic/definitions.js';
import { platformName } from '../logic/platforms.js';
import { alertRepo } from '../alert-repository.js';
import { repo } from '../repository.js';
import { rollup, type RollupRow } from '../rollup-repository.js';
import { judgedDay } from './alerts.js';
import type { CommunityDeps } from './deps.js';
import { EVERY_COMMUNITY, inReach, reachFilters, type Reach } from './reach.js';

const figures = (r: RollupRow | undefined): Markdown =>
  r
    ? joinMarkdown([
        joinMarkdown(
          [
            md`**净增长 Net growth** ${r.netGrowth}`,
            md`**流失率 Churn** ${percent(r.churnRate)}`,
            md`**活跃率 Activity** ${percent(r.activityRate)}`,
            md`**转化率 Conversion** ${percent(r.conversionRate)}`,
          ],
          ' · ',
        ),
        joinMarkdown(
          [
            md`**GMV** ${yuan(r.gmvFen)}`,
            md`**人均 per member** ${yuan(r.gmvPerMemberFen)}`,
            md`**退款 Refunds** ${yuan(r.refundsFen)}`,
            md`**社群 Communities** ${r.communities}`,
          ],
          ' · ',
        ),
      ])
    : md`
没有数据 · No data
      `;

const platformLines = (rows: RollupRow[]): Markdown =>
  rows.length === 0
    ? md`
没有数据 · No data
      `
    : joinMarkdown(
        rows.map((r) =>
          joinMarkdown(
            [
              md`- **${platformName(r.key).zh} ${platformName(r.key).en}** 净增 ${r.netGrowth}`,
              md`活跃 ${percent(r.activityRate)}`,
              md`转化 ${percent(r.conversionRate)}`,
              md`GMV ${yuan(r.gmvFen)}`,
            ],
            ' · ',
          ),
        ),
      );

const scoped = (subtitle: string, reach: Reach) => (reach.label ? `${subtitle} · ${reach.label}` : subtitle);

async function openAlertsLine(x: CommunityDeps, since: string, reach: Reach): Promise<Markdown> {
  const open = (await alertRepo.open(x.database.db, 200)).filter(
    (a) => a.day >= since && inReach(reach, { team: a.team, operator: a.operatorOpenId }),
  );
  if (open.length === 0)
    return md`
**预警 Alerts** 无待处理 · none open
    `;
  return md`**预警 Alerts** 待处理 ${open.length} 条 open · ${open
    .slice(0, 5)
    .map((a) => a.communityName)
    .join('、')}${open.length > 5 ? ' …' : ''}`;
}

/** 社群日报: yesterday, all communities and by platform, with the open alerts and which feeds are late. */
export async function dailyDigest(x: CommunityDeps, now: Date, reach: Reach = EVERY_COMMUNITY): Promise<Card> {
  const day = isoDateOf(judgedDay(now, x.timeZone));
  const range = { from: day, to: day, ...reachFilters(reach) };
  const [all] = await rollup(x.database, { ...range, grain: 'day', by: 'all' });
  const byPlatform = await rollup(x.database, { ...range, grain: 'day', by: 'platform' });
  const communities = (await repo.all(x.database.db)).filter(
    (c) => c.state === 'active' && inReach(reach, { team: c.teamKey, operator: c.operatorOpenId }),
  );
  const reported = new Set(byPlatform.map((r) => r.key));
  const silentPlatforms = [...new Set(communities.map((c) => c.platform))].filter((p) => !reported.has(p));
  const late =
    silentPlatforms.length > 0
      ? md`\n**数据未到 Data late** ${silentPlatforms
          .map((p) => platformName(p).zh)
          .join('、')}（缺失的日子不算作下降 · a missing day is not a drop）`
      : md``;
  return communityCards(x.cards).digest({
    title: '社群日报 · Community digest',
    subtitle: scoped(day, reach),
    overview: figures(all),
    breakdown: platformLines(byPlatform),
    alerts: joinMarkdown([await openAlertsLine(x, day, reach), late], ''),
  });
}

/** 社群 周报: the 7 days up to yesterday, by platform and by operator. */
export async function weeklyReport(x: CommunityDeps, now: Date, reach: Reach = EVERY_COMMUNITY): Promise<Card> {
  const end = judgedDay(now, x.timeZone);
  const [from, to] = [isoDateOf(end - 6), isoDateOf(end)];
  const range = { grain: 'span' as const, from, to, ...reachFilters(reach) };
  const [all] = await rollup(x.database, { ...range, by: 'all' });
  const byPlatform = await rollup(x.database, { ...range, by: 'platform' });
  return communityCards(x.cards).digest({
    title: '社群周报 · Weekly community report',
    subtitle: scoped(`${from} – ${to}`, reach),
    overview: figures(all),
    breakdown: platformLines(byPlatform),
    alerts: await openAlertsLine(x, from, reach),
  });
}

/** 社群 <名称|编码>: one community's last 28 days and its last day. */
export async function communityReport(
  x: CommunityDeps,
  needle: string,
  now: Date,
  reach: Reach = EVERY_COMMUNITY,
): Promise<Card> {
  const found = await repo.find(x.database.db, needle);
  if (!found) throw new NotFoundError('社群 community', needle);
  if (!inReach(reach, { team: found.teamKey, operator: found.operatorOpenId }))
    throw new ForbiddenError(
      reach.operator
        ? '该社群不是你运营的 · You do not operate this community'
        : '该社群不属于你的团队 · This community is not one of your teams’',
    );
  const end = judgedDay(now, x.timeZone);
  const range = { by: 'community' as const, from: isoDateOf(end - 27), to: isoDateOf(end), community: found.code };
  const [span] = await rollup(x.database, { ...range, grain: 'span' });
  const days = await rollup(x.database, { ...range, grain: 'day' });
  const last = days.at(-1);
  const lastLine = last
    ? joinMarkdown(
        [
          md`**最近一天 Last day** ${last.period}：成员 ${last.closingMembers}`,
          md`新增 ${last.joined}`,
          md`退群 ${last.left}`,
          md`活跃 ${percent(last.activityRate)}`,
        ],
        ' · ',
      )
    : md`
最近 28 天没有数据 · No data in the last 28 days
      `;
  return communityCards(x.cards).digest({
    title: `${found.name} · ${found.code}`,
    subtitle: `${platformName(found.platform).zh} · 近 28 天 last 28 days`,
    overview: figures(span),
    breakdown: lastLine,
    alerts: await openAlertsLine(x, isoDateOf(end - 27), reach),
  });
}
