CREATE TABLE "community_chat_facts" (
	"key" text PRIMARY KEY NOT NULL,
	"community_id" bigint NOT NULL,
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"open_id" text,
	"members" integer DEFAULT 0 NOT NULL,
	"event_id" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "community_chat_facts" ADD CONSTRAINT "community_chat_facts_community_id_community_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."community_communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "community_chat_facts_day_idx" ON "community_chat_facts" USING btree ("community_id","day");