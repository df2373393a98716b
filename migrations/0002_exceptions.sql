CREATE TABLE "exceptions_approvals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"purpose" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"band" text NOT NULL,
	"approver_role" text NOT NULL,
	"decision" text DEFAULT 'pending' NOT NULL,
	"reason" text,
	"note" text,
	"requested_by" text NOT NULL,
	"decided_by" text,
	"requested_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "exceptions_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint,
	"action" text NOT NULL,
	"actor_open_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "exceptions_cases" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"priority" text NOT NULL,
	"state" text DEFAULT 'new' NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"source" text NOT NULL,
	"external_id" text,
	"channel" text,
	"shop" text,
	"order_no" text,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"team_key" text NOT NULL,
	"chat_id" text,
	"owner_open_id" text,
	"reporter_open_id" text,
	"warehouse_open_id" text,
	"approver_role" text,
	"amount_at_risk_fen" bigint DEFAULT 0 NOT NULL,
	"refunded_fen" bigint DEFAULT 0 NOT NULL,
	"recovered_fen" bigint DEFAULT 0 NOT NULL,
	"written_off_fen" bigint DEFAULT 0 NOT NULL,
	"dispute_outcome" text,
	"resolution" text,
	"platform_due_at" timestamp with time zone,
	"opened_at" timestamp with time zone NOT NULL,
	"waiting_since" timestamp with time zone,
	"last_nudge_at" timestamp with time zone,
	"nudge_count" integer DEFAULT 0 NOT NULL,
	"resolved_at" timestamp with time zone,
	"card_message_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "exceptions_escalations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"step" text NOT NULL,
	"manual" boolean DEFAULT false NOT NULL,
	"recipient_open_id" text,
	"by_open_id" text,
	"sent_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "exceptions_nudges" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"seq" integer NOT NULL,
	"recipient_open_id" text,
	"missing_fields" text[] NOT NULL,
	"sent_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "exceptions_recovery_claims" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"counterparty_type" text NOT NULL,
	"counterparty" text DEFAULT '' NOT NULL,
	"claim_fen" bigint NOT NULL,
	"recovered_fen" bigint DEFAULT 0 NOT NULL,
	"written_off_fen" bigint DEFAULT 0 NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"owner_open_id" text,
	"opened_at" timestamp with time zone NOT NULL,
	"last_activity_at" timestamp with time zone NOT NULL,
	"last_reminded_at" timestamp with time zone,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "exceptions_state_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" bigint NOT NULL,
	"state" text NOT NULL,
	"action" text NOT NULL,
	"actor_open_id" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "exceptions_approvals" ADD CONSTRAINT "exceptions_approvals_case_id_exceptions_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."exceptions_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exceptions_audit" ADD CONSTRAINT "exceptions_audit_case_id_exceptions_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."exceptions_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exceptions_escalations" ADD CONSTRAINT "exceptions_escalations_case_id_exceptions_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."exceptions_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exceptions_nudges" ADD CONSTRAINT "exceptions_nudges_case_id_exceptions_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."exceptions_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exceptions_recovery_claims" ADD CONSTRAINT "exceptions_recovery_claims_case_id_exceptions_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."exceptions_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exceptions_state_history" ADD CONSTRAINT "exceptions_state_history_case_id_exceptions_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."exceptions_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "exceptions_approvals_one_pending_idx" ON "exceptions_approvals" USING btree ("case_id") WHERE decision = 'pending';--> statement-breakpoint
CREATE INDEX "exceptions_audit_case_idx" ON "exceptions_audit" USING btree ("case_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "exceptions_cases_source_external_idx" ON "exceptions_cases" USING btree ("source","external_id");--> statement-breakpoint
CREATE INDEX "exceptions_cases_state_idx" ON "exceptions_cases" USING btree ("state");--> statement-breakpoint
CREATE INDEX "exceptions_cases_order_idx" ON "exceptions_cases" USING btree ("order_no");--> statement-breakpoint
CREATE UNIQUE INDEX "exceptions_escalations_step_idx" ON "exceptions_escalations" USING btree ("case_id","step");--> statement-breakpoint
CREATE UNIQUE INDEX "exceptions_nudges_seq_idx" ON "exceptions_nudges" USING btree ("case_id","seq");--> statement-breakpoint
CREATE INDEX "exceptions_recovery_claims_state_idx" ON "exceptions_recovery_claims" USING btree ("state","last_activity_at");--> statement-breakpoint
CREATE INDEX "exceptions_state_history_case_idx" ON "exceptions_state_history" USING btree ("case_id","at");