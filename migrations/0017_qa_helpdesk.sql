CREATE TABLE "qa_helpdesk_messages" (
	"ticket_message_id" text PRIMARY KEY NOT NULL,
	"ticket_id" text NOT NULL,
	"role" text NOT NULL,
	"sender_open_id" text,
	"at" timestamp with time zone NOT NULL,
	"text" text NOT NULL,
	"conversation_id" bigint,
	"seq" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "qa_helpdesk_messages" ADD CONSTRAINT "qa_helpdesk_messages_conversation_id_qa_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."qa_conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "qa_helpdesk_messages_ticket_idx" ON "qa_helpdesk_messages" USING btree ("ticket_id","at");