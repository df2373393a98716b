CREATE TABLE "community_metric_gaps" (
	"community_id" bigint NOT NULL,
	"prev_day" date,
	"next_day" date
);
--> statement-breakpoint
CREATE TABLE "community_metric_rollups" (
	"day" date NOT NULL,
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
	CONSTRAINT "community_metric_rollups_day_platform_team_key_operator_open_id_pk" PRIMARY KEY("day","platform","team_key","operator_open_id")
);
--> statement-breakpoint
ALTER TABLE "community_metric_gaps" ADD CONSTRAINT "community_metric_gaps_community_id_community_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."community_communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "community_metric_gaps_community_idx" ON "community_metric_gaps" USING btree ("community_id","prev_day");--> statement-breakpoint
CREATE INDEX "community_metric_gaps_span_idx" ON "community_metric_gaps" USING gist (daterange("prev_day", "next_day", '()'));