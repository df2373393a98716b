CREATE TABLE "qa_calibration_rounds" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"lead_open_id" text,
	"created_by" text NOT NULL,
	"conversation_ids" jsonb NOT NULL,
	"inspectors" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "qa_reviews" ADD COLUMN "calibration_round_id" bigint;--> statement-breakpoint
ALTER TABLE "qa_reviews" ADD CONSTRAINT "qa_reviews_calibration_round_id_qa_calibration_rounds_id_fk" FOREIGN KEY ("calibration_round_id") REFERENCES "public"."qa_calibration_rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "qa_reviews_calibration_idx" ON "qa_reviews" USING btree ("calibration_round_id","conversation_id","inspector_open_id") WHERE calibration_round_id is not null;