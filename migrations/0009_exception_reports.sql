CREATE TABLE "exceptions_case_results" (
	"case_id" bigint PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"team_key" text NOT NULL,
	"channel" text DEFAULT '' NOT NULL,
	"state" text NOT NULL,
	"open" boolean NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"opened_day" date NOT NULL,
	"state_since" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"cycle_minutes" double precision,
	"cycle_ms" bigint,
	"sla_breached" boolean,
	"due_at" timestamp with time zone,
	"breach_at" timestamp with time zone,
	"ms_by_state" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at_risk_fen" bigint DEFAULT 0 NOT NULL,
	"refunded_fen" bigint DEFAULT 0 NOT NULL,
	"recovered_fen" bigint DEFAULT 0 NOT NULL,
	"written_off_fen" bigint DEFAULT 0 NOT NULL,
	"outstanding_fen" bigint DEFAULT 0 NOT NULL,
	"dispute" text,
	"sample" smallint NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "exceptions_daily_rollup" (
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"team_key" text NOT NULL,
	"channel" text NOT NULL,
	"cases" integer DEFAULT 0 NOT NULL,
	"finished" integer DEFAULT 0 NOT NULL,
	"sla_breached" integer DEFAULT 0 NOT NULL,
	"within_target" integer DEFAULT 0 NOT NULL,
	"cycle_ms" bigint DEFAULT 0 NOT NULL,
	"at_risk_fen" bigint DEFAULT 0 NOT NULL,
	"refunded_fen" bigint DEFAULT 0 NOT NULL,
	"recovered_fen" bigint DEFAULT 0 NOT NULL,
	"written_off_fen" bigint DEFAULT 0 NOT NULL,
	"outstanding_fen" bigint DEFAULT 0 NOT NULL,
	"disputes_won" integer DEFAULT 0 NOT NULL,
	"disputes_lost" integer DEFAULT 0 NOT NULL,
	"disputes_pending" integer DEFAULT 0 NOT NULL,
	"ms_new" bigint DEFAULT 0 NOT NULL,
	"ms_assigned" bigint DEFAULT 0 NOT NULL,
	"ms_waiting_warehouse" bigint DEFAULT 0 NOT NULL,
	"ms_waiting_customer" bigint DEFAULT 0 NOT NULL,
	"ms_waiting_platform" bigint DEFAULT 0 NOT NULL,
	"ms_in_progress" bigint DEFAULT 0 NOT NULL,
	"ms_pending_approval" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "exceptions_daily_rollup_day_kind_team_key_channel_pk" PRIMARY KEY("day","kind","team_key","channel")
);
--> statement-breakpoint
ALTER TABLE "exceptions_case_results" ADD CONSTRAINT "exceptions_case_results_case_id_exceptions_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."exceptions_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "exceptions_case_results_open_idx" ON "exceptions_case_results" USING btree ("kind","opened_at") WHERE open;--> statement-breakpoint
CREATE INDEX "exceptions_case_results_closed_opened_idx" ON "exceptions_case_results" USING btree ("opened_at") WHERE not open;--> statement-breakpoint
CREATE INDEX "exceptions_case_results_cycle_idx" ON "exceptions_case_results" USING btree ("sample","opened_at","cycle_minutes") WHERE finished_at is not null;--> statement-breakpoint
CREATE INDEX "exceptions_daily_rollup_kind_idx" ON "exceptions_daily_rollup" USING btree ("kind","day");--> statement-breakpoint
CREATE INDEX "exceptions_approvals_case_idx" ON "exceptions_approvals" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "exceptions_cases_open_idx" ON "exceptions_cases" USING btree ("id") WHERE state not in ('resolved', 'closed', 'cancelled');--> statement-breakpoint
CREATE INDEX "exceptions_cases_kind_idx" ON "exceptions_cases" USING btree ("kind","id");--> statement-breakpoint
CREATE INDEX "exceptions_cases_opened_idx" ON "exceptions_cases" USING btree ("opened_at");--> statement-breakpoint
CREATE INDEX "exceptions_recovery_claims_case_idx" ON "exceptions_recovery_claims" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "exceptions_recovery_claims_open_idx" ON "exceptions_recovery_claims" USING btree ("id") WHERE state in ('open', 'partially_recovered');