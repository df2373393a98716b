import { and, asc, eq, gte, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { AlertMetric } from './logic/alert-policy.js';
import { communities, communityAlerts, communityMutes } from './schema.js';

export type AlertRow = typeof communityAlerts.$inferSelect;
export type NewAlert = typeof communityAlerts.$inferInsert;

/** Alerts and mutes. */
export const alertRepo = {
  /** Stores each community/metric/day once: rows already there are skipped, only new ones come back. */
  async insertOnce(db: Db, rows: NewAlert[]): Promise<AlertRow[]> {
    if (rows.length === 0) return [];
    return db.insert(communityAlerts).values(rows).onConflictDoNothing().returning();
  },

  async mutedOn(db: Db, day: string): Promise<Set<string>> {
    const rows = await db
      .select({ c: communityMutes.communityId, m: communityMutes.metric })
      .from(communityMutes)
      .where(gte(communityMutes.until, day));
    return new Set(rows.map((r) => `${r.c}\n${r.m}`));
  },

  async forOperator(db: Db, operator: string, day: string) {
    return db
      .select({
        id: communityAlerts.id,
        version: communityAlerts.version,
        state: communityAlerts.state,
        metric: communityAlerts.metric,
        kind: communityAlerts.kind,
        value: communityAlerts.value,
        baseline: communityAlerts.baseline,
        communityName: communities.name,
        platform: communities.platform,
        mutedUntil: communityMutes.until,
      })
      .from(communityAlerts)
      .innerJoin(communities, eq(communities.id, communityAlerts.communityId))
      .leftJoin(
        communityMutes,
        and(
          eq(communityMutes.communityId, communityAlerts.communityId),
          eq(communityMutes.metric, communityAlerts.metric),
        ),
      )
      .where(and(eq(communityAlerts.operatorOpenId, operator), eq(communityAlerts.day, day)))
      .orderBy(asc(communityAlerts.id));
  },

  /** Operators with an alert that day whose card has not been sent yet (new, or an earlier send failed). */
  async operatorsWithoutCard(db: Db, day: string): Promise<string[]> {
    const rows = await db
      .selectDistinct({ operator: communityAlerts.operatorOpenId })
      .from(communityAlerts)
      .where(
        and(
          eq(communityAlerts.day, day),
          isNull(communityAlerts.cardMessageId),
          isNotNull(communityAlerts.operatorOpenId),
        ),
      )
      .orderBy(asc(communityAlerts.operatorOpenId));
    return rows.flatMap((r) => (r.operator ? [r.operator] : []));
  },

  async setCardMessage(db: Db, operator: string, day: string, messageId: string): Promise<void> {
    await db
      .update(communityAlerts)
      .set({ cardMessageId: messageId })
      .where(and(eq(communityAlerts.operatorOpenId, operator), eq(communityAlerts.day, day)));
  },

  async get(db: Db, id: number): Promise<AlertRow | undefined> {
    return (await db.select().from(communityAlerts).where(eq(communityAlerts.id, id)))[0];
  },

  /** open → acknowledged | muted, only from the version the button names. */
  async decide(
    db: Db,
    id: number,
    version: number,
    state: 'acknowledged' | 'muted',
    by: string,
    at: Date,
  ): Promise<AlertRow | undefined> {
    const [row] = await db
      .update(communityAlerts)
      .set({ state, version: sql`${communityAlerts.version} + 1`, decidedBy: by, decidedAt: at })
      .where(and(eq(communityAlerts.id, id), eq(communityAlerts.version, version), eq(communityAlerts.state, 'open')))
      .returning();
    return row;
  },

  async mute(db: Db, communityId: number, metric: AlertMetric, until: string, by: string, at: Date): Promise<void> {
    await db
      .insert(communityMutes)
      .values({ communityId, metric, until, byOpenId: by, at })
      .onConflictDoUpdate({
        target: [communityMutes.communityId, communityMutes.metric],
        set: { until: sql`greatest(${communityMutes.until}, excluded.until)`, byOpenId: by, at },
      });
  },

  /** Open alerts, newest day first (dashboard, digest). */
  async open(db: Db, limit: number) {
    return db
      .select({
        id: communityAlerts.id,
        day: communityAlerts.day,
        metric: communityAlerts.metric,
        kind: communityAlerts.kind,
        value: communityAlerts.value,
        baseline: communityAlerts.baseline,
        operatorOpenId: communityAlerts.operatorOpenId,
        community: communities.code,
        communityName: communities.name,
        platform: communities.platform,
        team: communities.teamKey,
      })
      .from(communityAlerts)
      .innerJoin(communities, eq(communities.id, communityAlerts.communityId))
      .where(eq(communityAlerts.state, 'open'))
      .orderBy(sql`${communityAlerts.day} desc, ${communityAlerts.id}`)
      .limit(limit);
  },
};
