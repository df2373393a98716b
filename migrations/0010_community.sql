CREATE TABLE "community_communities" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"platform" text NOT NULL,
	"kind" text,
	"operator_open_id" text,
	"store_code" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"state" text DEFAULT 'active' NOT NULL,
	"feishu_chat_id" text,
	"bitable_record_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "community_alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"community_id" bigint NOT NULL,
	"metric" text NOT NULL,
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"value" double precision NOT NULL,
	"baseline" double precision NOT NULL,
	"score" double precision,
	"operator_open_id" text,
	"state" text DEFAULT 'open' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"card_message_id" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "community_daily_metrics" (
	"community_id" bigint NOT NULL,
	"day" date NOT NULL,
	"members_total" integer DEFAULT 0 NOT NULL,
	"members_joined" integer DEFAULT 0 NOT NULL,
	"members_left" integer DEFAULT 0 NOT NULL,
	"active_members" integer DEFAULT 0 NOT NULL,
	"messages" integer DEFAULT 0 NOT NULL,
	"orders" integer DEFAULT 0 NOT NULL,
	"gmv_fen" bigint DEFAULT 0 NOT NULL,
	"refunds_fen" bigint DEFAULT 0 NOT NULL,
	"source" text NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "community_daily_metrics_community_id_day_pk" PRIMARY KEY("community_id","day")
);
--> statement-breakpoint
CREATE TABLE "community_metric_corrections" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"community_id" bigint NOT NULL,
	"day" date NOT NULL,
	"before" jsonb NOT NULL,
	"after" jsonb NOT NULL,
	"source" text NOT NULL,
	"revision" integer NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "community_mutes" (
	"community_id" bigint NOT NULL,
	"metric" text NOT NULL,
	"until" date NOT NULL,
	"by_open_id" text,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "community_mutes_community_id_metric_pk" PRIMARY KEY("community_id","metric")
);
--> statement-breakpoint
ALTER TABLE "community_alerts" ADD CONSTRAINT "community_alerts_community_id_community_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."community_communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community_daily_metrics" ADD CONSTRAINT "community_daily_metrics_community_id_community_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."community_communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community_metric_corrections" ADD CONSTRAINT "community_metric_corrections_community_id_community_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."community_communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "community_mutes" ADD CONSTRAINT "community_mutes_community_id_community_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."community_communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "community_communities_code_idx" ON "community_communities" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "community_communities_chat_idx" ON "community_communities" USING btree ("feishu_chat_id");--> statement-breakpoint
CREATE UNIQUE INDEX "community_communities_record_idx" ON "community_communities" USING btree ("bitable_record_id");--> statement-breakpoint
CREATE INDEX "community_communities_platform_idx" ON "community_communities" USING btree ("platform");--> statement-breakpoint
CREATE INDEX "community_communities_operator_idx" ON "community_communities" USING btree ("operator_open_id");--> statement-breakpoint
CREATE UNIQUE INDEX "community_alerts_once_idx" ON "community_alerts" USING btree ("community_id","metric","day");--> statement-breakpoint
CREATE INDEX "community_alerts_open_idx" ON "community_alerts" USING btree ("day") WHERE state = 'open';--> statement-breakpoint
CREATE INDEX "community_alerts_operator_idx" ON "community_alerts" USING btree ("operator_open_id","day");--> statement-breakpoint
CREATE INDEX "community_daily_metrics_day_idx" ON "community_daily_metrics" USING btree ("day","community_id");--> statement-breakpoint
CREATE INDEX "community_metric_corrections_idx" ON "community_metric_corrections" USING btree ("community_id","day");