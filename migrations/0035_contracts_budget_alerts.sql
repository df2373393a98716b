ALTER TABLE "contracts_budgets" ADD COLUMN "usage_alerted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "contracts_budgets" ADD COLUMN "usage_alerts" integer DEFAULT 0 NOT NULL;