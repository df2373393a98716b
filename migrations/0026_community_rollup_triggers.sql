-- Keeps community_metric_rollups and community_metric_gaps (src/domains/community/rollup-schema.ts) in step with
-- community_daily_metrics, in the writer's own transaction: statement triggers with transition tables, so a batch of
-- 10,000 rows is one set-based update of the rollups, not 10,000. Every writer is covered (API, file import, Bitable
-- rows, Feishu group events, corrections, a hand-written UPDATE), and a community whose platform, team or operator
-- changes moves its days to its new group. community_rollups_rebuild() recomputes both tables from the daily rows
-- (this migration's backfill; `feishu-ops sync` runs it too).

-- One signed change of a rollup group (+ a row added, − a row removed; an update is both).
CREATE TYPE community_rollup_delta AS (
  day date, platform text, team_key text, operator_open_id text, "rows" int, joined bigint, "left" bigint,
  member_days bigint, active_days bigint, messages bigint, orders bigint, gmv_fen bigint, refunds_fen bigint
);
--> statement-breakpoint
CREATE FUNCTION community_rollup_add(deltas community_rollup_delta[]) RETURNS void LANGUAGE plpgsql AS $$
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
END;
$$;
--> statement-breakpoint
-- The gaps of the communities in `ids` around the days in `days` (added or removed): only the stretch between the
-- row before the first such day and the row after the last is recomputed; the rows outside it did not move.
CREATE FUNCTION community_gaps_refresh(ids bigint[], days date[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH touched AS (
    SELECT k.id, min(k.day) AS a, max(k.day) AS b FROM unnest(ids, days) k(id, day) GROUP BY k.id
  ),
  bounds AS (
    SELECT t.id,
           (SELECT max(m.day) FROM community_daily_metrics m WHERE m.community_id = t.id AND m.day < t.a) AS p,
           (SELECT min(m.day) FROM community_daily_metrics m WHERE m.community_id = t.id AND m.day > t.b) AS n
      FROM touched t
  ),
  gone AS (
    DELETE FROM community_metric_gaps g USING bounds b
     WHERE g.community_id = b.id
       AND coalesce(g.prev_day, '-infinity'::date) >= coalesce(b.p, '-infinity'::date)
       AND coalesce(g.next_day, 'infinity'::date) <= coalesce(b.n, 'infinity'::date)
  ),
  run AS (
    SELECT b.id, b.p, b.n, m.day, lag(m.day) OVER w AS before, lead(m.day) OVER w AS after
      FROM bounds b
      JOIN community_daily_metrics m
        ON m.community_id = b.id
       AND m.day BETWEEN coalesce(b.p, '-infinity'::date) AND coalesce(b.n, 'infinity'::date)
    WINDOW w AS (PARTITION BY b.id ORDER BY m.day)
  )
  INSERT INTO community_metric_gaps (community_id, prev_day, next_day)
  SELECT id, before, day FROM run WHERE (before IS NULL AND p IS NULL) OR day - before > 1
  UNION ALL
  SELECT id, day, NULL FROM run WHERE after IS NULL AND n IS NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION community_metrics_rolled() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  deltas community_rollup_delta[];
  ids bigint[];
  days date[];
BEGIN
  -- One writer of a community's rows at a time from here to its commit (FOR NO KEY UPDATE: the foreign-key checks
  -- of other inserts still pass): the gaps are recomputed from what committed writers left, and a community being
  -- moved to another group waits for, or is waited on by, this writer. Every statement after the lock reads anew.
  -- new_rows / old_rows are the statement's transition tables; each exists only for the events that have it.
  IF TG_OP = 'DELETE' THEN
    PERFORM 1 FROM community_communities WHERE id IN (SELECT community_id FROM old_rows) ORDER BY id
      FOR NO KEY UPDATE;
  ELSE
    PERFORM 1 FROM community_communities WHERE id IN (SELECT community_id FROM new_rows) ORDER BY id
      FOR NO KEY UPDATE;
  END IF;
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(ROW(n.day, c.platform, coalesce(c.team_key, ''), coalesce(c.operator_open_id, ''), 1,
                         n.members_joined, n.members_left, n.members_total, n.active_members, n.messages, n.orders,
                         n.gmv_fen, n.refunds_fen)::community_rollup_delta),
           array_agg(n.community_id), array_agg(n.day)
      INTO deltas, ids, days
      FROM new_rows n JOIN community_communities c ON c.id = n.community_id;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(ROW(o.day, c.platform, coalesce(c.team_key, ''), coalesce(c.operator_open_id, ''), -1,
                         -o.members_joined, -o.members_left, -o.members_total, -o.active_members, -o.messages,
                         -o.orders, -o.gmv_fen, -o.refunds_fen)::community_rollup_delta),
           array_agg(o.community_id), array_agg(o.day)
      INTO deltas, ids, days
      FROM old_rows o JOIN community_communities c ON c.id = o.community_id;
  ELSE
    SELECT array_agg(d) INTO deltas FROM (
      SELECT ROW(n.day, c.platform, coalesce(c.team_key, ''), coalesce(c.operator_open_id, ''), 1,
                 n.members_joined, n.members_left, n.members_total, n.active_members, n.messages, n.orders,
                 n.gmv_fen, n.refunds_fen)::community_rollup_delta AS d
        FROM new_rows n JOIN community_communities c ON c.id = n.community_id
      UNION ALL
      SELECT ROW(o.day, c.platform, coalesce(c.team_key, ''), coalesce(c.operator_open_id, ''), -1,
                 -o.members_joined, -o.members_left, -o.members_total, -o.active_members, -o.messages,
                 -o.orders, -o.gmv_fen, -o.refunds_fen)::community_rollup_delta
        FROM old_rows o JOIN community_communities c ON c.id = o.community_id
    ) x;
    -- The gaps move only when a row's community or day itself changed (never in this app's writes).
    SELECT array_agg(k.community_id), array_agg(k.day) INTO ids, days FROM (
      (SELECT community_id, day FROM new_rows EXCEPT SELECT community_id, day FROM old_rows)
      UNION
      (SELECT community_id, day FROM old_rows EXCEPT SELECT community_id, day FROM new_rows)
    ) k;
  END IF;
  IF deltas IS NOT NULL THEN
    PERFORM community_rollup_add(deltas);
  END IF;
  IF ids IS NOT NULL THEN
    PERFORM community_gaps_refresh(ids, days);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER community_metrics_rolled_ins AFTER INSERT ON community_daily_metrics
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION community_metrics_rolled();
--> statement-breakpoint
CREATE TRIGGER community_metrics_rolled_upd AFTER UPDATE ON community_daily_metrics
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION community_metrics_rolled();
--> statement-breakpoint
CREATE TRIGGER community_metrics_rolled_del AFTER DELETE ON community_daily_metrics
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION community_metrics_rolled();
--> statement-breakpoint
CREATE FUNCTION community_metrics_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM community_metric_rollups;
  DELETE FROM community_metric_gaps;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER community_metrics_rolled_truncate AFTER TRUNCATE ON community_daily_metrics
  FOR EACH STATEMENT EXECUTE FUNCTION community_metrics_truncated();
--> statement-breakpoint
-- A community that changes platform, team or operator takes its days from the old group to the new one.
CREATE FUNCTION community_communities_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  deltas community_rollup_delta[];
BEGIN
  WITH moved AS (
    SELECT o.id, o.platform AS old_platform, coalesce(o.team_key, '') AS old_team,
           coalesce(o.operator_open_id, '') AS old_operator, n.platform AS new_platform,
           coalesce(n.team_key, '') AS new_team, coalesce(n.operator_open_id, '') AS new_operator
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE (o.platform, coalesce(o.team_key, ''), coalesce(o.operator_open_id, ''))
           IS DISTINCT FROM (n.platform, coalesce(n.team_key, ''), coalesce(n.operator_open_id, ''))
  )
  SELECT array_agg(ROW(m.day, g.platform, g.team_key, g.operator_open_id, g.sign, g.sign * m.members_joined,
                       g.sign * m.members_left, g.sign * m.members_total, g.sign * m.active_members,
                       g.sign * m.messages, g.sign * m.orders, g.sign * m.gmv_fen,
                       g.sign * m.refunds_fen)::community_rollup_delta)
    INTO deltas
    FROM moved v
    JOIN community_daily_metrics m ON m.community_id = v.id
   CROSS JOIN LATERAL (VALUES (-1, v.old_platform, v.old_team, v.old_operator),
                              (1, v.new_platform, v.new_team, v.new_operator)) g(sign, platform, team_key,
                                                                                  operator_open_id);
  IF deltas IS NOT NULL THEN
    PERFORM community_rollup_add(deltas);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER community_communities_moved AFTER UPDATE ON community_communities
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION community_communities_moved();
--> statement-breakpoint
-- Both tables from the daily rows, from scratch (also for a database restored without its triggers' effects).
CREATE FUNCTION community_rollups_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM community_metric_rollups;
  DELETE FROM community_metric_gaps;
  INSERT INTO community_metric_rollups (day, platform, team_key, operator_open_id, "rows", joined, "left",
                                        member_days, active_days, messages, orders, gmv_fen, refunds_fen)
  SELECT m.day, c.platform, coalesce(c.team_key, ''), coalesce(c.operator_open_id, ''), count(*),
         sum(m.members_joined), sum(m.members_left), sum(m.members_total), sum(m.active_members), sum(m.messages),
         sum(m.orders), sum(m.gmv_fen), sum(m.refunds_fen)
    FROM community_daily_metrics m JOIN community_communities c ON c.id = m.community_id
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
SELECT community_rollups_rebuild();
