import { calendarDay } from '../../core/zoned-time.js';
import type { Database } from '../../db/client.js';
import type { Feishu } from '../../feishu/index.js';
import type { BitableMirror } from '../../mirror/index.js';
import { changedDays, METRICS_TABLE, metricTableSpec, MIRROR_DAYS } from './metrics-bitable.js';
import { rebuildRollups } from './rollup-stored.js';
import { ingestMetrics } from './service/ingest.js';
import { SUMMARY_TABLE, summaryTableSpec, writeSummary } from './summary-bitable.js';

/**
 * 每日指标 for `feishu-ops sync`, as the running bot keeps it: declared with people's rows (the reconcile
 * takes rows added by hand that no event brought, puts typing in the bot's columns back), and a pass that
 * writes every day of the window (rows the ten-minute schedule never wrote are created, changed figures
 * written; the kit writes only what differs). Returns that pass, run after the reconcile.
 */
export function declareMetricsForSync(
  mirror: BitableMirror,
  database: Database,
  timeZone: string,
  feishu: Pick<Feishu, 'messages'> | undefined,
  now: () => Date = () => new Date(),
): () => Promise<string> {
  const table = mirror.table(
    METRICS_TABLE,
    metricTableSpec(database, timeZone, {
      database,
      ingest: (rows, source, at) => ingestMetrics({ database, timeZone }, rows, source, at),
      tell: async (openId, key, text) => void (await feishu?.messages.send({ to: { openId }, key, text })),
    }),
  );
  return async () => {
    let written = 0;
    let created = 0;
    const days = await changedDays(database, new Date(0), calendarDay(now(), timeZone));
    for (const day of days) {
      const done = await table.write(day);
      if (!done) return '每日指标 community metrics: Bitable not provisioned, nothing written';
      written++;
      if (done.created) created++;
    }
    return (
      `每日指标 community metrics: the last ${MIRROR_DAYS} days, ${written} rows checked ` +
      `(${created} created 新建, the rest brought up to date 已核对)`
    );
  };
}

/** `feishu-ops sync`: the dashboard's stored rollups rebuilt from the daily rows (the triggers keep them otherwise). */
export function rollupsForSync(database: Database): () => Promise<string> {
  return async () => {
    const r = await database.transaction((tx) => rebuildRollups(tx));
    return (
      `社群汇总 community rollups: rebuilt from ${r.days} daily rows 每日指标 ` +
      `(${r.groups} day groups 日汇总, ${r.gaps} gaps 缺数区间)`
    );
  };
}

/**
 * 社群汇总 for `feishu-ops sync`, as the `community.summary-bitable` schedule's first run after a start: every week and
 * month of the window summed from the stored rollups (run it after `rollupsForSync`) and written where it differs,
 * rows of periods that left the window deleted. Returns that pass, run after the reconcile.
 */
export function declareSummaryForSync(
  mirror: BitableMirror,
  database: Database,
  timeZone: string,
  now: () => Date = () => new Date(),
): () => Promise<string> {
  const table = mirror.table(SUMMARY_TABLE, summaryTableSpec(database, timeZone, now));
  return async () => {
    const done = await writeSummary(database, table, new Date(0), calendarDay(now(), timeZone), (ids) =>
      mirror.deleteRecords(SUMMARY_TABLE, ids),
    );
    if (!done) return '社群汇总 community summary: Bitable not provisioned, nothing written';
    return (
      `社群汇总 community summary: ${done.periods} weeks and months, ${done.rows} rows checked 已核对` +
      ` (${done.expired} out of the window deleted 已删除)`
    );
  };
}
