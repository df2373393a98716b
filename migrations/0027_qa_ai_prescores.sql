CREATE TABLE "qa_ai_prescores" (
	"review_id" bigint PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"model" text,
	"reason" text,
	"http_status" integer,
	"scores" jsonb,
	"dropped_quotes" integer DEFAULT 0 NOT NULL,
	"offered" boolean DEFAULT false NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "qa_ai_prescores" ADD CONSTRAINT "qa_ai_prescores_review_id_qa_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."qa_reviews"("id") ON DELETE no action ON UPDATE no action;