CREATE TABLE "community_metric_month_rollups" (
	"month" date NOT NULL,
	"platform" text NOT NULL,
	"team_key" text NOT NULL,
	"operator_open_id" text NOT NULL,
	"rows" integer NOT NULL,
	"joined" bigint NOT NULL,
	"left" bigint NOT NULL,
	"member_days" bigint NOT NULL,
	"active_days" bigint NOT NULL,
	"messages" bigint NOT NULL,
	"orders" bigint NOT NULL,
	"gmv_fen" bigint NOT NULL,
	"refunds_fen" bigint NOT NULL,
	"day_bits" integer NOT NULL,
	CONSTRAINT "community_metric_month_rollups_month_platform_team_key_operator_open_id_pk" PRIMARY KEY("month","platform","team_key","operator_open_id")
);
--> statement-breakpoint
-- community_metric_month_rollups (src/domains/community/rollup-schema.ts): the day rollups summed per calendar month
-- and group, kept by the same triggers as the day rows. After a statement changed day rows, the months it touched
-- take a transaction advisory lock each (in month order) and their touched groups are summed again from the day rows:
-- a second writer of the same month sums after the first one's commit (each statement of a function reads anew under
-- READ COMMITTED), so the month rows are recomputed, never incremented, and cannot drift.
CREATE FUNCTION community_month_rollups_refresh(deltas community_rollup_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('community_month_rollups'), m - date '2000-01-01')
     FROM (SELECT DISTINCT date_trunc('month', d.day::timestamp)::date AS m FROM unnest(deltas) d ORDER BY 1) x;
  DELETE FROM community_metric_month_rollups r
   USING (SELECT DISTINCT date_trunc('month', d.day::timestamp)::date AS month, d.platform, d.team_key,
                 d.operator_open_id FROM unnest(deltas) d) k
   WHERE r.month = k.month AND r.platform = k.platform AND r.team_key = k.team_key
     AND r.operator_open_id = k.operator_open_id;
  INSERT INTO community_metric_month_rollups (month, platform, team_key, operator_open_id, "rows", joined, "left",
                                              member_days, active_days, messages, orders, gmv_fen, refunds_fen,
                                              day_bits)
  SELECT k.month, k.platform, k.team_key, k.operator_open_id, sum(x."rows"), sum(x.joined), sum(x."left"),
         sum(x.member_days), sum(x.active_days), sum(x.messages), sum(x.orders), sum(x.gmv_fen), sum(x.refunds_fen),
         bit_or(1 << (extract(day FROM x.day)::int - 1))
    FROM (SELECT DISTINCT date_trunc('month', d.day::timestamp)::date AS month, d.platform, d.team_key,
                 d.operator_open_id FROM unnest(deltas) d) k
    JOIN community_metric_rollups x
      ON x.day >= k.month AND x.day < (k.month + interval '1 month')::date AND x.platform = k.platform
     AND x.team_key = k.team_key AND x.operator_open_id = k.operator_open_id
   GROUP BY k.month, k.platform, k.team_key, k.operator_open_id
   ORDER BY 1, 2, 3, 4;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION community_rollup_add(deltas community_rollup_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- Groups in key order, so two writers touching the same groups lock them in the same order.
  INSERT INTO community_metric_rollups AS r (day, platform, team_key, operator_open_id, "rows", joined, "left",
                                             member_days, active_days, messages, orders, gmv_fen, refunds_fen)
  SELECT * FROM (
    SELECT d.day, d.platform, d.team_key, d.operator_open_id, sum(d."rows")::int, sum(d.joined), sum(d."left"),
           sum(d.member_days), sum(d.active_days), sum(d.messages), sum(d.orders), sum(d.gmv_fen), sum(d.refunds_fen)
      FROM unnest(deltas) d
     GROUP BY d.day, d.platform, d.team_key, d.operator_open_id
  ) g(day, platform, team_key, operator_open_id, "rows", joined, "left", member_days, active_days, messages, orders,
      gmv_fen, refunds_fen)
  -- A re-sent day with the same figures changes nothing.
  WHERE ("rows", joined, "left", member_days, active_days, messages, orders, gmv_fen, refunds_fen)
        <> (0, 0, 0, 0, 0, 0, 0, 0, 0)
  ORDER BY day, platform, team_key, operator_open_id
  ON CONFLICT (day, platform, team_key, operator_open_id) DO UPDATE SET
    "rows" = r."rows" + excluded."rows", joined = r.joined + excluded.joined, "left" = r."left" + excluded."left",
    member_days = r.member_days + excluded.member_days, active_days = r.active_days + excluded.active_days,
    messages = r.messages + excluded.messages, orders = r.orders + excluded.orders,
    gmv_fen = r.gmv_fen + excluded.gmv_fen, refunds_fen = r.refunds_fen + excluded.refunds_fen;
  -- A group with no row left that day has no rollup row (days with data are counted from these rows).
  DELETE FROM community_metric_rollups r
   USING (SELECT DISTINCT d.day FROM unnest(deltas) d) x
   WHERE r.day = x.day AND r."rows" = 0;
  PERFORM community_month_rollups_refresh(deltas);
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION community_metrics_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM community_metric_rollups;
  DELETE FROM community_metric_month_rollups;
  DELETE FROM community_metric_gaps;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- The three tables from the daily rows, from scratch (also for a database restored without its triggers' effects).
CREATE OR REPLACE FUNCTION community_rollups_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM community_metric_rollups;
  DELETE FROM community_metric_month_rollups;
  DELETE FROM community_metric_gaps;
  INSERT INTO community_metric_rollups (day, platform, team_key, operator_open_id, "rows", joined, "left",
                                        member_days, active_days, messages, orders, gmv_fen, refunds_fen)
  SELECT m.day, c.platform, coalesce(c.team_key, ''), coalesce(c.operator_open_id, ''), count(*),
         sum(m.members_joined), sum(m.members_left), sum(m.members_total), sum(m.active_members), sum(m.messages),
         sum(m.orders), sum(m.gmv_fen), sum(m.refunds_fen)
    FROM community_daily_metrics m JOIN community_communities c ON c.id = m.community_id
   GROUP BY 1, 2, 3, 4;
  INSERT INTO community_metric_month_rollups (month, platform, team_key, operator_open_id, "rows", joined, "left",
                                              member_days, active_days, messages, orders, gmv_fen, refunds_fen,
                                              day_bits)
  SELECT date_trunc('month', x.day::timestamp)::date, x.platform, x.team_key, x.operator_open_id, sum(x."rows"),
         sum(x.joined), sum(x."left"), sum(x.member_days), sum(x.active_days), sum(x.messages), sum(x.orders),
         sum(x.gmv_fen), sum(x.refunds_fen), bit_or(1 << (extract(day FROM x.day)::int - 1))
    FROM community_metric_rollups x
   GROUP BY 1, 2, 3, 4;
  INSERT INTO community_metric_gaps (community_id, prev_day, next_day)
  SELECT community_id, before, day FROM (
    SELECT community_id, day, lag(day) OVER w AS before, lead(day) OVER w AS after
      FROM community_daily_metrics WINDOW w AS (PARTITION BY community_id ORDER BY day)
  ) r WHERE before IS NULL OR day - before > 1
  UNION ALL
  SELECT community_id, day, NULL FROM (
    SELECT community_id, day, lead(day) OVER (PARTITION BY community_id ORDER BY day) AS after
      FROM community_daily_metrics
  ) r WHERE after IS NULL;
END;
$$;
--> statement-breakpoint
INSERT INTO community_metric_month_rollups (month, platform, team_key, operator_open_id, "rows", joined, "left",
                                            member_days, active_days, messages, orders, gmv_fen, refunds_fen, day_bits)
SELECT date_trunc('month', x.day::timestamp)::date, x.platform, x.team_key, x.operator_open_id, sum(x."rows"),
       sum(x.joined), sum(x."left"), sum(x.member_days), sum(x.active_days), sum(x.messages), sum(x.orders),
       sum(x.gmv_fen), sum(x.refunds_fen), bit_or(1 << (extract(day FROM x.day)::int - 1))
  FROM community_metric_rollups x
 GROUP BY 1, 2, 3, 4;
