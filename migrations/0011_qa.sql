CREATE TABLE "qa_appeal_decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"appeal_id" bigint NOT NULL,
	"step" text NOT NULL,
	"decision" text NOT NULL,
	"by_open_id" text NOT NULL,
	"reason" text NOT NULL,
	"marks" jsonb,
	"revised_score" real,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qa_appeals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" bigint NOT NULL,
	"agent_open_id" text NOT NULL,
	"reason" text NOT NULL,
	"proposals" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"step" text DEFAULT 'team_lead' NOT NULL,
	"step_due_at" timestamp with time zone NOT NULL,
	"decider_open_id" text,
	"original_score" real NOT NULL,
	"revised_score" real,
	"decision_note" text,
	"submitted_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"last_reminder_at" timestamp with time zone,
	"bitable_record_id" text,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qa_conversations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"external_id" text NOT NULL,
	"shop" text,
	"agent_open_id" text NOT NULL,
	"team_key" text,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"csat" integer,
	"order_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"url" text,
	"message_count" integer NOT NULL,
	"source" text DEFAULT 'api' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qa_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"conversation_id" bigint NOT NULL,
	"seq" integer NOT NULL,
	"role" text NOT NULL,
	"sender" text,
	"at" timestamp with time zone NOT NULL,
	"text" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qa_review_items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" bigint NOT NULL,
	"code" text NOT NULL,
	"points" real NOT NULL,
	"na" boolean DEFAULT false NOT NULL,
	"red_line_hit" boolean DEFAULT false NOT NULL,
	"from_suggestion" boolean DEFAULT false NOT NULL,
	"quote" text,
	"note" text,
	"bitable_record_id" text
);
--> statement-breakpoint
CREATE TABLE "qa_reviews" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"conversation_id" bigint NOT NULL,
	"scorecard_version" integer NOT NULL,
	"agent_open_id" text NOT NULL,
	"inspector_open_id" text,
	"state" text DEFAULT 'to_score' NOT NULL,
	"sample_reason" text NOT NULL,
	"suggestions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"score" real,
	"result" text,
	"red_line_hit" boolean DEFAULT false NOT NULL,
	"comment" text,
	"opened_at" timestamp with time zone,
	"scored_at" timestamp with time zone,
	"seconds_spent" integer,
	"feedback_message_id" text,
	"acknowledged_at" timestamp with time zone,
	"bitable_record_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qa_scorecard_versions" (
	"version" integer PRIMARY KEY NOT NULL,
	"criteria" jsonb NOT NULL,
	"published_by" text,
	"published_at" timestamp with time zone NOT NULL,
	"note" text
);
--> statement-breakpoint
ALTER TABLE "qa_appeal_decisions" ADD CONSTRAINT "qa_appeal_decisions_appeal_id_qa_appeals_id_fk" FOREIGN KEY ("appeal_id") REFERENCES "public"."qa_appeals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_appeals" ADD CONSTRAINT "qa_appeals_review_id_qa_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."qa_reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_messages" ADD CONSTRAINT "qa_messages_conversation_id_qa_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."qa_conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_review_items" ADD CONSTRAINT "qa_review_items_review_id_qa_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."qa_reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_reviews" ADD CONSTRAINT "qa_reviews_conversation_id_qa_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."qa_conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qa_reviews" ADD CONSTRAINT "qa_reviews_scorecard_version_qa_scorecard_versions_version_fk" FOREIGN KEY ("scorecard_version") REFERENCES "public"."qa_scorecard_versions"("version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "qa_appeal_decisions_step_idx" ON "qa_appeal_decisions" USING btree ("appeal_id","step");--> statement-breakpoint
CREATE UNIQUE INDEX "qa_appeals_review_idx" ON "qa_appeals" USING btree ("review_id");--> statement-breakpoint
CREATE INDEX "qa_appeals_open_idx" ON "qa_appeals" USING btree ("step_due_at") WHERE state = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "qa_conversations_channel_external_idx" ON "qa_conversations" USING btree ("channel","external_id");--> statement-breakpoint
CREATE INDEX "qa_conversations_agent_idx" ON "qa_conversations" USING btree ("agent_open_id","started_at");--> statement-breakpoint
CREATE INDEX "qa_conversations_started_idx" ON "qa_conversations" USING btree ("started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "qa_messages_conversation_seq_idx" ON "qa_messages" USING btree ("conversation_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "qa_review_items_review_code_idx" ON "qa_review_items" USING btree ("review_id","code");--> statement-breakpoint
CREATE INDEX "qa_review_items_code_idx" ON "qa_review_items" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "qa_reviews_conversation_idx" ON "qa_reviews" USING btree ("conversation_id") WHERE sample_reason <> 'calibration';--> statement-breakpoint
CREATE INDEX "qa_reviews_inspector_state_idx" ON "qa_reviews" USING btree ("inspector_open_id","state","id");--> statement-breakpoint
CREATE INDEX "qa_reviews_agent_idx" ON "qa_reviews" USING btree ("agent_open_id","scored_at");