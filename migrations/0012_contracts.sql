CREATE TABLE "contracts_approval_steps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"contract_id" bigint NOT NULL,
	"round" integer NOT NULL,
	"seq" integer NOT NULL,
	"role" text NOT NULL,
	"approver_open_id" text,
	"decision" text DEFAULT 'waiting' NOT NULL,
	"reason" text,
	"decided_by" text,
	"pending_since" timestamp with time zone,
	"decided_at" timestamp with time zone,
	"reminded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "contracts_budgets" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"department" text NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"amount_fen" bigint DEFAULT 0 NOT NULL,
	"committed_fen" bigint DEFAULT 0 NOT NULL,
	"reserved_fen" bigint DEFAULT 0 NOT NULL,
	"spent_fen" bigint DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contracts_contracts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"contract_no" text NOT NULL,
	"title" text NOT NULL,
	"counterparty_id" bigint NOT NULL,
	"type" text NOT NULL,
	"product_type" text,
	"shop_type" text,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"amount_fen" bigint NOT NULL,
	"currency" text DEFAULT 'CNY' NOT NULL,
	"amount_cny_fen" bigint NOT NULL,
	"sign_date" date,
	"start_date" date NOT NULL,
	"end_date" date NOT NULL,
	"notice_days" integer,
	"auto_renew" boolean DEFAULT false NOT NULL,
	"owner_open_id" text NOT NULL,
	"department" text,
	"budget_id" bigint,
	"files" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"renews_id" bigint,
	"round" integer DEFAULT 0 NOT NULL,
	"risk" jsonb,
	"risk_level" text,
	"source" text NOT NULL,
	"external_id" text,
	"requester_open_id" text,
	"card_message_id" text,
	"card_sent_at" timestamp with time zone,
	"snoozed_until" date,
	"bitable_record_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contracts_counterparties" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"credit_code" text,
	"list" text DEFAULT 'none' NOT NULL,
	"list_reason" text,
	"risk_level" text,
	"checked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contracts_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"contract_id" bigint NOT NULL,
	"state" text NOT NULL,
	"action" text NOT NULL,
	"actor_open_id" text,
	"note" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contracts_payments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"contract_id" bigint NOT NULL,
	"budget_id" bigint,
	"amount_fen" bigint NOT NULL,
	"state" text NOT NULL,
	"flags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reserved" boolean DEFAULT false NOT NULL,
	"planned_date" date,
	"requested_by" text NOT NULL,
	"decided_by" text,
	"external_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contracts_reminders" (
	"contract_id" bigint NOT NULL,
	"key" text NOT NULL,
	"level" integer NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	CONSTRAINT "contracts_reminders_contract_id_key_pk" PRIMARY KEY("contract_id","key")
);
--> statement-breakpoint
CREATE TABLE "contracts_risk_cache" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contracts_sequences" (
	"scope" text PRIMARY KEY NOT NULL,
	"last" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contracts_approval_steps" ADD CONSTRAINT "contracts_approval_steps_contract_id_contracts_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts_contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts_contracts" ADD CONSTRAINT "contracts_contracts_counterparty_id_contracts_counterparties_id_fk" FOREIGN KEY ("counterparty_id") REFERENCES "public"."contracts_counterparties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts_contracts" ADD CONSTRAINT "contracts_contracts_budget_id_contracts_budgets_id_fk" FOREIGN KEY ("budget_id") REFERENCES "public"."contracts_budgets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts_history" ADD CONSTRAINT "contracts_history_contract_id_contracts_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts_contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts_payments" ADD CONSTRAINT "contracts_payments_contract_id_contracts_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts_contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts_payments" ADD CONSTRAINT "contracts_payments_budget_id_contracts_budgets_id_fk" FOREIGN KEY ("budget_id") REFERENCES "public"."contracts_budgets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contracts_reminders" ADD CONSTRAINT "contracts_reminders_contract_id_contracts_contracts_id_fk" FOREIGN KEY ("contract_id") REFERENCES "public"."contracts_contracts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "contracts_approval_steps_seq_idx" ON "contracts_approval_steps" USING btree ("contract_id","round","seq");--> statement-breakpoint
CREATE INDEX "contracts_approval_steps_pending_idx" ON "contracts_approval_steps" USING btree ("approver_open_id") WHERE decision = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "contracts_budgets_code_idx" ON "contracts_budgets" USING btree ("code");--> statement-breakpoint
CREATE INDEX "contracts_budgets_department_idx" ON "contracts_budgets" USING btree ("department","period_start");--> statement-breakpoint
CREATE UNIQUE INDEX "contracts_contracts_no_idx" ON "contracts_contracts" USING btree ("contract_no");--> statement-breakpoint
CREATE UNIQUE INDEX "contracts_contracts_source_external_idx" ON "contracts_contracts" USING btree ("source","external_id");--> statement-breakpoint
CREATE INDEX "contracts_contracts_counterparty_idx" ON "contracts_contracts" USING btree ("counterparty_id","id");--> statement-breakpoint
CREATE INDEX "contracts_contracts_live_end_idx" ON "contracts_contracts" USING btree ("end_date") WHERE state in ('active', 'expiring');--> statement-breakpoint
CREATE INDEX "contracts_contracts_state_idx" ON "contracts_contracts" USING btree ("state","id");--> statement-breakpoint
CREATE UNIQUE INDEX "contracts_counterparties_name_idx" ON "contracts_counterparties" USING btree ("name");--> statement-breakpoint
CREATE INDEX "contracts_history_contract_idx" ON "contracts_history" USING btree ("contract_id","at");--> statement-breakpoint
CREATE INDEX "contracts_payments_contract_idx" ON "contracts_payments" USING btree ("contract_id");--> statement-breakpoint
CREATE UNIQUE INDEX "contracts_payments_external_idx" ON "contracts_payments" USING btree ("contract_id","external_id");