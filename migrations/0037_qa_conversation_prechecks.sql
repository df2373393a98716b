CREATE TABLE "qa_conversation_prechecks" (
	"conversation_id" bigint PRIMARY KEY NOT NULL,
	"scorecard_version" integer NOT NULL,
	"policy_key" text NOT NULL,
	"message_count" integer NOT NULL,
	"hits" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "qa_conversation_prechecks" ADD CONSTRAINT "qa_conversation_prechecks_conversation_id_qa_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."qa_conversations"("id") ON DELETE no action ON UPDATE no action;