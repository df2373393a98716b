ALTER TABLE "contracts_budgets" ADD COLUMN "fiscal_year" integer;--> statement-breakpoint
ALTER TABLE "contracts_budgets" ADD COLUMN "category" text;--> statement-breakpoint
ALTER TABLE "contracts_budgets" ADD COLUMN "owner_open_id" text;--> statement-breakpoint
ALTER TABLE "contracts_budgets" ADD COLUMN "state" text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE "contracts_payments" ADD COLUMN "paid_date" date;