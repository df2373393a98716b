-- The QA rollups' month rows (grain | 16: a calendar month's sums of the day rows of grain & 15, day = the
-- month's 1st), summed from the day rows already kept (src/domains/qa/rollup-store.ts MONTH_SQL). From here on
-- touchRollup keeps them with the day rows and rebuildRollup rebuilds them.
delete from qa_rollup_reviews where grain >= 16;--> statement-breakpoint
delete from qa_rollup_items where grain >= 16;--> statement-breakpoint
insert into qa_rollup_reviews (grain, day, version, team, channel, agent, inspector, reviews, score_sum, passes, failed, appealed, overturned, seconds_sum, seconds_n, sw, sw2,
  sw_pass, sw2_pass, sw_score, sw2_score, sw2_score2)
     select u.grain | 16, date_trunc('month', u.day::timestamp)::date, u.version, u.team, u.channel, u.agent, u.inspector,
            sum(reviews)::int as reviews, sum(score_sum)::float8 as score_sum,
  sum(passes)::int as passes, sum(failed)::int as failed, sum(appealed)::int as appealed,
  sum(overturned)::int as overturned, coalesce(sum(seconds_sum), 0)::bigint as seconds_sum,
  sum(seconds_n)::int as seconds_n, sum(sw)::float8 as sw, sum(sw2)::float8 as sw2, sum(sw_pass)::float8 as sw_pass,
  sum(sw2_pass)::float8 as sw2_pass, sum(sw_score)::float8 as sw_score, sum(sw2_score)::float8 as sw2_score,
  sum(sw2_score2)::float8 as sw2_score2
       from qa_rollup_reviews u
      where u.grain < 16
      group by u.grain, date_trunc('month', u.day::timestamp), u.version, u.team, u.channel, u.agent, u.inspector
      order by 1, 2;--> statement-breakpoint
insert into qa_rollup_items (grain, day, version, team, channel, agent, inspector, code, items, points_sum, points_n, deducted)
     select u.grain | 16, date_trunc('month', u.day::timestamp)::date, u.version, u.team, u.channel, u.agent, u.inspector, code,
            sum(items)::int as items, sum(points_sum)::float8 as points_sum,
  sum(points_n)::int as points_n, sum(deducted)::int as deducted
       from qa_rollup_items u
      where u.grain < 16
      group by u.grain, date_trunc('month', u.day::timestamp), u.version, u.team, u.channel, u.agent, u.inspector, code
      order by 1, 2;
