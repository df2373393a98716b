import { fromZonedParts } from '../../core/zoned-time.js';
import type { Database, SqlExecutor } from '../../db/client.js';
import type { AddedRow, FieldOwner, TableSpec } from '../../mirror/index.js';
import { takeAddedRow, takeEditedRow, type HeldDay, type PeopleRowsDeps } from './metrics-bitable-rows.js';
import { platformOption } from './logic/platforms.js';

/** 每日指标: one row per community and day, numbered `<code>@<date>`; the bot writes it. */
export const METRICS_TABLE = 'community_daily_metrics';
/** Only recent days are mirrored: Bitable holds a few tens of thousands of rows; Postgres keeps the history. */
export const MIRROR_DAYS = 14;

// A person may add a day by hand (date, community, figures: people's fields, see metrics-bitable-rows.ts); the
// record number, platform, source and alert columns are the bot's, formulas and the created time Bitable's own.
// Figures from the API, files and Feishu's events are refused in the grid (put back, with a DM saying why).
export const METRIC_OWNERS: Record<string, FieldOwner> = {
  metric_id: 'bot',
  date: 'people',
  community: 'people',
  platform: 'bot',
  members_total: 'people',
  members_joined: 'people',
  members_left: 'people',
  net_growth: 'bot',
  active_members: 'people',
  messages: 'people',
  activity_rate: 'bot',
  orders: 'people',
  gmv: 'people',
  conversion_rate: 'bot',
  source: 'bot',
  anomaly: 'bot',
  anomaly_note: 'bot',
  imported_at: 'bot',
};

/** The template's 数据来源 options; a source without one (feishu, demo) is left empty (the bot adds no options). */
const SOURCE_OPTIONS: Record<string, string> = { api: '接口', csv: 'CSV导入', bitable: '手工录入' };

export interface MetricDay extends HeldDay {
  platform: string;
  /** The metrics alerted on that day (comma-separated), or null. */
  alerts: string | null;
}

const SELECT = `select c.code, c.platform, to_char(m.day, 'YYYY-MM-DD') as day, m.members_total as "membersTotal",
    m.members_joined as "membersJoined", m.members_left as "membersLeft", m.active_members as "activeMembers",
    m.messages, m.orders, m.gmv_fen::float8 as "gmvFen", m.refunds_fen::float8 as "refundsFen", m.source,
    (select string_agg(a.metric, ', ' order by a.metric) from community_alerts a
      where a.community_id = m.community_id and a.day = m.day) as alerts
  from community_daily_metrics m join community_communities c on c.id = m.community_id`;

export const metricNo = (m: Pick<MetricDay, 'code' | 'day'>): string => `${m.code}@${m.day}`;

/** Days changed at or after `since` within the last MIRROR_DAYS up to `today` (ISO), oldest first. */
export async function changedDays(db: SqlExecutor, since: Date, today: string): Promise<MetricDay[]> {
  const { rows } = await db.query<MetricDay>(
    `${SELECT} where m.day > $2::date - $3::int and m.updated_at >= $1 order by m.day, c.code`,
    [since, today, MIRROR_DAYS],
  );
  return rows;
}

/** Rows people add or correct by hand; without it (feishu-ops sync) the table is repaired, edits left to the bot. */
export type PeopleRows = Omit<PeopleRowsDeps, 'load' | 'timeZone' | 'database'> & { database: Database };

export function metricTableSpec(db: SqlExecutor, timeZone: string, people?: PeopleRows): TableSpec<MetricDay> {
  const load = async (no: string): Promise<MetricDay | undefined> => {
    const at = no.lastIndexOf('@');
    if (at < 1) return undefined;
    const { rows } = await db.query<MetricDay>(`${SELECT} where c.code = $1 and m.day = $2::date`, [
      no.slice(0, at),
      /^\d{4}-\d{2}-\d{2}$/.test(no.slice(at + 1)) ? no.slice(at + 1) : '1970-01-01',
    ]);
    return rows[0];
  };
  const rowsDeps: PeopleRowsDeps | undefined = people && { ...people, timeZone, load };
  return {
    owner: METRIC_OWNERS,
    recordNo: 'metric_id',
    label: '每日指标',
    numberOf: metricNo,
    load,
    // Declaring these has the kit watch the table (src/mirror/bitable-mirror.ts listens only to tables that
    // take edits): a person's typing in the bot's columns is put back even where people's rows are not taken.
    async onEdit(edit) {
      if (rowsDeps) return takeEditedRow(rowsDeps, edit);
    },
    ...(rowsDeps ? { onAdd: (row: AddedRow) => takeAddedRow(rowsDeps, row) as Promise<MetricDay | undefined> } : {}),
    async toRow(m, links) {
      const [y, mo, d] = m.day.split('-').map(Number) as [number, number, number];
      const community = await links('communities', 'code', m.code);
      return {
        date: fromZonedParts(timeZone, y, mo, d),
        ...(community ? { community: [community] } : {}),
        platform: platformOption(m.platform),
        members_total: m.membersTotal,
        members_joined: m.membersJoined,
        members_left: m.membersLeft,
        active_members: m.activeMembers,
        messages: m.messages,
        orders: m.orders,
        gmv: m.gmvFen / 100,
        ...(SOURCE_OPTIONS[m.source] ? { source: SOURCE_OPTIONS[m.source] } : {}),
        anomaly: m.alerts !== null,
        anomaly_note: m.alerts ? `预警 Alerts: ${m.alerts}` : null,
      };
    },
  };
}
