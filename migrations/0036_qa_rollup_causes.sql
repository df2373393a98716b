CREATE TABLE "qa_rollup_causes" (
	"grain" smallint NOT NULL,
	"day" date NOT NULL,
	"version" integer NOT NULL,
	"team" text,
	"channel" text,
	"code" text NOT NULL,
	"cause" text,
	"deductions" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "qa_rollup_causes_day_idx" ON "qa_rollup_causes" USING btree ("grain","day");--> statement-breakpoint
-- Backfill (hand-added): the deductions of every scored review by root cause, days in the zone the other QA rollups
-- are kept in (none kept: nothing, and reads count the marks), then the month rows. The statements are
-- src/domains/qa/rollup-cause-store.ts CAUSE_REBUILD_SQL and CAUSE_MONTH_SQL; rebuildRollup rebuilds them.
insert into qa_rollup_causes
    (grain, day, version, team, channel, code, cause, deductions)
  select 3, (r.scored_at at time zone (select time_zone from qa_rollup_state))::date, r.scorecard_version, c.team_key, c.channel, i.code,
         i.root_cause, count(*)::int
    from qa_review_items i
  join qa_reviews r on r.id = i.review_id
  join qa_conversations c on c.id = r.conversation_id
   where r.score is not null and i.points > 0 and r.scored_at >= '-infinity'::timestamptz and r.scored_at < 'infinity'::timestamptz
     and exists (select 1 from qa_rollup_state)
   group by 2, 3, 4, 5, 6, 7
   order by 2;--> statement-breakpoint
insert into qa_rollup_causes
    (grain, day, version, team, channel, code, cause, deductions)
  select 19, date_trunc('month', u.day::timestamp)::date, u.version, u.team, u.channel, u.code, u.cause, sum(u.deductions)::int
    from qa_rollup_causes u
   where u.grain = 3
   group by 2, 3, 4, 5, 6, 7
   order by 2;
