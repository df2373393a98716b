CREATE TABLE "qa_rollup_items" (
	"grain" smallint NOT NULL,
	"day" date NOT NULL,
	"version" integer NOT NULL,
	"team" text,
	"channel" text,
	"agent" text,
	"inspector" text,
	"code" text NOT NULL,
	"items" integer NOT NULL,
	"points_sum" double precision NOT NULL,
	"points_n" integer NOT NULL,
	"deducted" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qa_rollup_reviews" (
	"grain" smallint NOT NULL,
	"day" date NOT NULL,
	"version" integer NOT NULL,
	"team" text,
	"channel" text,
	"agent" text,
	"inspector" text,
	"reviews" integer NOT NULL,
	"score_sum" double precision NOT NULL,
	"passes" integer NOT NULL,
	"failed" integer NOT NULL,
	"appealed" integer NOT NULL,
	"overturned" integer NOT NULL,
	"seconds_sum" bigint NOT NULL,
	"seconds_n" integer NOT NULL,
	"sw" double precision NOT NULL,
	"sw2" double precision NOT NULL,
	"sw_pass" double precision NOT NULL,
	"sw2_pass" double precision NOT NULL,
	"sw_score" double precision NOT NULL,
	"sw2_score" double precision NOT NULL,
	"sw2_score2" double precision NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qa_rollup_state" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"time_zone" text NOT NULL,
	"built_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "qa_rollup_items_day_idx" ON "qa_rollup_items" USING btree ("grain","day");--> statement-breakpoint
CREATE INDEX "qa_rollup_items_agent_idx" ON "qa_rollup_items" USING btree ("grain","agent","day") WHERE agent is not null;--> statement-breakpoint
CREATE INDEX "qa_rollup_items_inspector_idx" ON "qa_rollup_items" USING btree ("grain","inspector","day") WHERE inspector is not null;--> statement-breakpoint
CREATE INDEX "qa_rollup_reviews_day_idx" ON "qa_rollup_reviews" USING btree ("grain","day");--> statement-breakpoint
CREATE INDEX "qa_rollup_reviews_team_idx" ON "qa_rollup_reviews" USING btree ("grain","team","channel","day");--> statement-breakpoint
CREATE INDEX "qa_rollup_reviews_agent_idx" ON "qa_rollup_reviews" USING btree ("grain","agent","day") WHERE agent is not null;--> statement-breakpoint
CREATE INDEX "qa_rollup_reviews_inspector_idx" ON "qa_rollup_reviews" USING btree ("grain","inspector","day") WHERE inspector is not null;--> statement-breakpoint
-- Backfill (hand-added): the rollups' days are kept in Asia/Shanghai (TZ_BUSINESS's default); after changing
-- TZ_BUSINESS run `feishu-ops qa-rollup rebuild`. The statements are src/domains/qa/rollup-store.ts REBUILD_SQL.
INSERT INTO "qa_rollup_state" ("id", "time_zone", "built_at") VALUES (1, 'Asia/Shanghai', now());--> statement-breakpoint
insert into qa_rollup_reviews
    (grain, day, version, team, channel, agent, inspector, reviews, score_sum, passes, failed, appealed, overturned, seconds_sum, seconds_n, sw, sw2,
  sw_pass, sw2_pass, sw_score, sw2_score, sw2_score2)
  select * from (
    select 15 - grouping(inspector, agent, channel, team) as grain, day, version, team, channel, agent, inspector, sum(reviews)::int as reviews, sum(score_sum)::float8 as score_sum,
  sum(passes)::int as passes, sum(failed)::int as failed, sum(appealed)::int as appealed,
  sum(overturned)::int as overturned, coalesce(sum(seconds_sum), 0)::bigint as seconds_sum,
  sum(seconds_n)::int as seconds_n, sum(sw)::float8 as sw, sum(sw2)::float8 as sw2, sum(sw_pass)::float8 as sw_pass,
  sum(sw2_pass)::float8 as sw2_pass, sum(sw_score)::float8 as sw_score, sum(sw2_score)::float8 as sw2_score,
  sum(sw2_score2)::float8 as sw2_score2
      from (select (r.scored_at at time zone (select time_zone from qa_rollup_state))::date as day, r.scorecard_version as version, c.team_key as team,
  c.channel as channel, r.agent_open_id as agent, r.inspector_open_id as inspector, 1 as reviews, r.score::float8 as score_sum,
  case when r.result = 'pass' then 1 else 0 end as passes,
  case when r.result <> 'pass' then 1 else 0 end as failed,
  case when a.id is not null then 1 else 0 end as appealed,
  case when a.state in ('overturned', 'adjusted') then 1 else 0 end as overturned,
  r.seconds_spent::bigint as seconds_sum, case when r.seconds_spent is not null then 1 else 0 end as seconds_n,
  v.w as sw, v.w * v.w as sw2, v.w * v.pass as sw_pass, v.w * v.w * v.pass as sw2_pass,
  v.w * r.score as sw_score, v.w * v.w * r.score as sw2_score, v.w * v.w * r.score * r.score as sw2_score2 from qa_reviews r
  cross join lateral (select 1.0 / coalesce(r.inclusion_probability, 1) as w,
                             case when r.result = 'pass' then 1.0 else 0.0 end as pass) v
  join qa_conversations c on c.id = r.conversation_id
  left join qa_appeals a on a.review_id = r.id
             where r.score is not null and r.scored_at >= '-infinity'::timestamptz and r.scored_at < 'infinity'::timestamptz) x
     group by grouping sets ((day, version, team, channel), (day, version, inspector), (day, version, team, inspector), (day, version, team, agent), (day, version, team, channel, inspector), (day, version, team, channel, agent), (day, version, team, channel, agent, inspector))) g
  
  order by 1, 2;--> statement-breakpoint
insert into qa_rollup_items
    (grain, day, version, team, channel, agent, inspector, code, items, points_sum, points_n, deducted)
  select * from (
    select 15 - grouping(inspector, agent, channel, team) as grain, day, version, team, channel, agent, inspector, code, sum(items)::int as items, sum(points_sum)::float8 as points_sum,
  sum(points_n)::int as points_n, sum(deducted)::int as deducted
      from (select (r.scored_at at time zone (select time_zone from qa_rollup_state))::date as day, r.scorecard_version as version, c.team_key as team,
  c.channel as channel, r.agent_open_id as agent, r.inspector_open_id as inspector, i.code, 1 as items, case when not i.na then i.points::float8 else 0 end as points_sum,
  case when not i.na then 1 else 0 end as points_n, case when i.points > 0 then 1 else 0 end as deducted from qa_review_items i
  join qa_reviews r on r.id = i.review_id
  join qa_conversations c on c.id = r.conversation_id
             where r.score is not null and r.scored_at >= '-infinity'::timestamptz and r.scored_at < 'infinity'::timestamptz) x
     group by grouping sets ((day, version, team, channel, code), (day, version, inspector, code), (day, version, team, agent, code), (day, version, team, channel, inspector, code), (day, version, team, channel, agent, code))) g
  
  order by 1, 2;
